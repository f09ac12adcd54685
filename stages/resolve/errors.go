package resolve

import "errors"

// ErrInput means the staged normalise output is not what resolve expects
// (a table missing, two snapshots, another schema): rerun normalise.
var ErrInput = errors.New("the staged normalise output is incomplete or from another version")
