package resolve

import (
	"cmp"
	"slices"
)

// graph is the predecessor graph of locations: an edge p -> s says s
// succeeded p (s is the newer registration). Nodes are every archived
// location plus every ID a relationship or an inherited rating names.
type graph struct {
	ids      []string
	idx      map[string]int
	archived []bool
	status   []string // registration_status of archived nodes
	regDate  []optDate
	provider []string // provider_id of archived nodes
	preds    [][]int
	succs    [][]int
	edges    map[[2]int]struct{}

	// Computed by close.
	ancestors [][]ancestor // by node: predecessors at depth >= 1, (depth, id) order
	inCycle   []bool
	current   []int // -1: none (a cycle leaves no end)
}

type ancestor struct {
	node  int
	depth int
}

func newGraph() *graph {
	return &graph{idx: map[string]int{}, edges: map[[2]int]struct{}{}}
}

// node returns the index of id, adding it as a not-archived node if new.
func (g *graph) node(id string) int {
	if n, ok := g.idx[id]; ok {
		return n
	}
	n := len(g.ids)
	g.idx[id] = n
	g.ids = append(g.ids, id)
	g.archived = append(g.archived, false)
	g.status = append(g.status, "")
	g.regDate = append(g.regDate, optDate{})
	g.provider = append(g.provider, "")
	g.preds = append(g.preds, nil)
	g.succs = append(g.succs, nil)
	return n
}

// edge adds p -> s once; it reports whether the edge is new.
func (g *graph) edge(p, s int) bool {
	k := [2]int{p, s}
	if _, ok := g.edges[k]; ok {
		return false
	}
	g.edges[k] = struct{}{}
	g.preds[s] = append(g.preds[s], p)
	g.succs[p] = append(g.succs[p], s)
	return true
}

// isAncestor reports whether a is reachable from n through predecessors.
func (g *graph) isAncestor(a, n int, seen map[int]bool) bool {
	clear(seen)
	stack := []int{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range g.preds[x] {
			if p == a {
				return true
			}
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return false
}

// close computes, for every node, its ancestors with their depth (shortest
// path), whether it lies on a cycle, and its current location. Every walk
// marks what it visited, so a cycle is never followed twice.
func (g *graph) close() {
	n := len(g.ids)
	g.ancestors = make([][]ancestor, n)
	g.inCycle = make([]bool, n)
	g.current = make([]int, n)
	mark := make([]int, n) // visit stamp per node: x+1 when visited from x
	var queue []ancestor
	for x := 0; x < n; x++ {
		// Ancestors, breadth first.
		queue = append(queue[:0], ancestor{x, 0})
		mark[x] = x + 1
		var anc []ancestor
		for i := 0; i < len(queue); i++ {
			a := queue[i]
			for _, p := range g.preds[a.node] {
				if p == x {
					g.inCycle[x] = true
				}
				if mark[p] == x+1 {
					continue
				}
				mark[p] = x + 1
				next := ancestor{p, a.depth + 1}
				queue = append(queue, next)
				anc = append(anc, next)
			}
		}
		slices.SortFunc(anc, func(a, b ancestor) int {
			if c := cmp.Compare(a.depth, b.depth); c != 0 {
				return c
			}
			return cmp.Compare(g.ids[a.node], g.ids[b.node])
		})
		g.ancestors[x] = anc
	}
	clear(mark)
	for x := 0; x < n; x++ {
		g.current[x] = g.findCurrent(x, mark)
	}
}

// findCurrent walks the successors of x and picks, among the ends of the
// chain (nodes without successors), the best: registered before
// deregistered before not archived, then the latest registration date, then
// the greatest ID. It returns -1 when no end is reachable (a cycle).
func (g *graph) findCurrent(x int, mark []int) int {
	stamp := -(x + 1) // negative stamps keep these walks apart from close's
	mark[x] = stamp
	best := -1
	stack := []int{x}
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(g.succs[y]) == 0 {
			if best < 0 || g.better(y, best) {
				best = y
			}
			continue
		}
		for _, s := range g.succs[y] {
			if mark[s] != stamp {
				mark[s] = stamp
				stack = append(stack, s)
			}
		}
	}
	return best
}

func (g *graph) rank(n int) int {
	switch {
	case g.archived[n] && g.status[n] == "Registered":
		return 2
	case g.archived[n]:
		return 1
	}
	return 0
}

func (g *graph) better(a, b int) bool {
	if ra, rb := g.rank(a), g.rank(b); ra != rb {
		return ra > rb
	}
	da, db := g.regDate[a], g.regDate[b]
	if da.ok != db.ok {
		return da.ok
	}
	if da.d != db.d {
		return da.d > db.d
	}
	return g.ids[a] > g.ids[b]
}

// depthOf returns how many generations back a is from x (0 for x itself).
func (g *graph) depthOf(x, a int) (int, bool) {
	if x == a {
		return 0, true
	}
	for _, an := range g.ancestors[x] {
		if an.node == a {
			return an.depth, true
		}
	}
	return 0, false
}

// walkCycles reports whether x or any location on its successor walk lies
// on a cycle.
func (g *graph) walkCycles(x int) bool {
	seen := map[int]bool{x: true}
	stack := []int{x}
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if g.inCycle[y] {
			return true
		}
		for _, s := range g.succs[y] {
			if !seen[s] {
				seen[s] = true
				stack = append(stack, s)
			}
		}
	}
	return false
}
