package cqcsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// Everything random in the simulator is derived from the configured seeds
// through these helpers, so the same seed gives the same bytes.

// mix is the splitmix64 finaliser: a fast, well-spread 64-bit hash.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hash2 combines two words into one well-spread word.
func hash2(a, b uint64) uint64 { return mix(a ^ mix(b)) }

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// rng is a small deterministic random source with the helpers the
// generator needs.
type rng struct{ *rand.Rand }

// newRNG is reproducible on purpose: simulated data, never secrets.
func newRNG(seed, stream uint64) rng { return rng{rand.New(rand.NewPCG(seed, stream))} } //nolint:gosec // G404: determinism is the point

// seedBits reinterprets a signed seed as the generator's 64 bits.
func seedBits(seed int64) uint64 { return uint64(seed) } //nolint:gosec // G115: every bit pattern is a valid seed

// small converts a value the caller bounds (an index into a short table,
// a day count) to the compact field types.
func small[T uint8 | uint16](n int) T {
	if n < 0 || uint64(n) > uint64(^T(0)) {
		panic(fmt.Sprintf("cqcsim: %d does not fit", n))
	}
	return T(n)
}

// u64 converts a non-negative int (an index, a count) for hashing.
func u64(n int) uint64 {
	if n < 0 {
		panic(fmt.Sprintf("cqcsim: negative %d", n))
	}
	return uint64(n)
}

// index32 converts a slice index; New caps the register far below 2^31.
func index32(n int) int32 {
	if n < 0 || n > math.MaxInt32 {
		panic(fmt.Sprintf("cqcsim: index %d out of range", n))
	}
	return int32(n)
}

// chance reports true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// between returns an integer in [lo, hi].
func (r rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// pick returns a random element of s.
func pick[T any](r rng, s []T) T { return s[r.IntN(len(s))] }

// digits returns n random decimal digits, the first one non-zero.
func (r rng) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789"[r.IntN(10)]
	}
	if n > 0 && b[0] == '0' {
		b[0] = "123456789"[r.IntN(9)]
	}
	return string(b)
}

const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

// code returns n random upper-case letters and digits.
func (r rng) code(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

// postcodeLetters are the letters the inward part of a UK postcode uses.
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"

func (r rng) postcode(outward string) string {
	return outward + " " + strconv.Itoa(r.IntN(10)) +
		string(postcodeLetters[r.IntN(len(postcodeLetters))]) + string(postcodeLetters[r.IntN(len(postcodeLetters))])
}

// weighted returns an index into weights, chosen with probability
// proportional to its weight.
func (r rng) weighted(weights []float64) int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
