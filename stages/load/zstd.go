package load

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// arrow-go v18.1.0's zstd codec builds a new encoder for every page it
// compresses at an explicit level (the writer always passes one), which
// allocates and clears the encoder's history each time: a quarter of load's
// CPU time. pooledZstd keeps one encoder per level and otherwise behaves
// exactly like the stock codec (same frames, same levels, stock decoding).
//
// compress.RegisterCodec writes a package-level map without locking, so it
// must run before any Parquet I/O: init is the only safe place (and the
// registration the arrow-go documentation prescribes for replacement codecs).
func init() {
	compress.RegisterCodec(compress.Codecs.Zstd, pooledZstd{stock: mustCodec(compress.Codecs.Zstd)})
}

func mustCodec(c compress.Compression) compress.Codec {
	codec, err := compress.GetCodec(c)
	if err != nil {
		panic(err) // arrow-go registers zstd itself; this cannot fail
	}
	return codec
}

type pooledZstd struct {
	stock compress.Codec
}

var zstdEncoders sync.Map // zstd.EncoderLevel -> *zstd.Encoder (EncodeAll is safe for concurrent use)

func zstdEncoder(level int) *zstd.Encoder {
	l := zstd.SpeedDefault
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	if enc, ok := zstdEncoders.Load(l); ok {
		return enc.(*zstd.Encoder)
	}
	enc, _ := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l)) // options are valid constants
	actual, _ := zstdEncoders.LoadOrStore(l, enc)
	return actual.(*zstd.Encoder)
}

func (pooledZstd) Encode(dst, src []byte) []byte {
	return zstdEncoder(compress.DefaultCompressionLevel).EncodeAll(src, dst[:0])
}

func (pooledZstd) EncodeLevel(dst, src []byte, level int) []byte {
	return zstdEncoder(level).EncodeAll(src, dst[:0])
}

func (z pooledZstd) CompressBound(n int64) int64 { return z.stock.CompressBound(n) }

func (z pooledZstd) Decode(dst, src []byte) []byte { return z.stock.Decode(dst, src) }
