package cqcsim

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// Moves: a location that changes local authority (and region) without
// re-registering, as happens when boundaries are redrawn. From the move on,
// its body and the list filters say the new place, and the changes feed
// names it at the move's time.

type move struct {
	at                     int64
	localAuthority, region string
}

// MoveLocation moves generated location id to localAuthority in region at
// time at. It reports whether id is a generated location.
func (s *Sim) MoveLocation(id, localAuthority, region string, at time.Time) bool {
	i := s.w.findLoc(id)
	if i < 0 || s.w.locs[i].fix != nil {
		return false
	}
	s.movesMu.Lock()
	defer s.movesMu.Unlock()
	if s.moves == nil {
		s.moves = map[int32]move{}
	}
	s.moves[i] = move{at: at.Unix(), localAuthority: localAuthority, region: region}
	return true
}

// movedAt returns location i's move, if it has happened by clock c.
func (s *Sim) movedAt(i int32, c int64) (move, bool) {
	s.movesMu.RLock()
	defer s.movesMu.RUnlock()
	m, ok := s.moves[i]
	return m, ok && m.at < c
}

// locMatches says whether location i matches the list filters fs at clock c,
// after any move.
func (s *Sim) locMatches(i int32, c int64, fs []filter) bool {
	m, moved := s.movedAt(i, c)
	return matches(fs, func(name, v string) bool {
		switch {
		case moved && name == "localAuthority":
			return m.localAuthority == v
		case moved && name == "region":
			return m.region == v
		}
		return s.w.locHas(i, c, name, v)
	})
}

// withMove rewrites a location body for its move, if any.
func (s *Sim) withMove(i int32, c int64, resp response) response {
	m, moved := s.movedAt(i, c)
	if !moved || resp.status != http.StatusOK {
		return resp
	}
	var body map[string]any
	if json.Unmarshal(resp.body, &body) != nil {
		return resp
	}
	body["localAuthority"], body["region"] = m.localAuthority, m.region
	return jsonResponse(http.StatusOK, body)
}

// movedIDs lists the locations moved in [from, to), sorted.
func (s *Sim) movedIDs(from, to int64) []string {
	s.movesMu.RLock()
	defer s.movesMu.RUnlock()
	var ids []string
	for i, m := range s.moves {
		if m.at >= from && m.at < to {
			ids = append(ids, s.w.locs[i].id)
		}
	}
	slices.Sort(ids)
	return ids
}
