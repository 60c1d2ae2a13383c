package upstream

import (
	"errors"
	"fmt"
	"io"
)

// git's delta format, applied as a stream: the delta is read once, in
// order, and the base only where its copy instructions point, so neither
// the base nor the result need be in memory (go-git's appliers want one
// or the other whole). See git's delta.h and patch-delta.c.

var errBadDelta = fmt.Errorf("%w: invalid delta", errBadPack)

// readDeltaHeader reads the sizes a delta starts with: of the base it
// applies to and of the object it makes.
func readDeltaHeader(delta io.ByteReader) (baseSize, targetSize int64, err error) {
	if baseSize, err = readDeltaSize(delta); err != nil {
		return 0, 0, err
	}
	if targetSize, err = readDeltaSize(delta); err != nil {
		return 0, 0, err
	}
	return baseSize, targetSize, nil
}

// readDeltaSize reads a little-endian base-128 number of at most 63 bits.
func readDeltaSize(r io.ByteReader) (int64, error) {
	var n uint64
	for shift := uint(0); ; shift += 7 {
		if shift > 56 {
			return 0, fmt.Errorf("%w: size field overflows", errBadDelta)
		}
		b, err := r.ReadByte()
		if err != nil {
			return 0, deltaEOF(err)
		}
		n |= uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			return int64(n), nil
		}
	}
}

func deltaEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", errBadDelta)
	}
	return err
}

// deltaReader is a delta's inflated stream, buffered.
type deltaReader interface {
	io.Reader
	io.ByteReader
}

// patchDelta writes to w the targetSize bytes the delta's instructions
// (what follows its header) make of base. They must produce exactly
// targetSize bytes and end there. buf is the copy buffer.
func patchDelta(w io.Writer, base *heldObject, targetSize int64, delta deltaReader, buf []byte) error {
	baseSize := base.size
	left := targetSize
	for left > 0 {
		cmd, err := delta.ReadByte()
		if err != nil {
			return deltaEOF(err)
		}
		switch {
		case cmd&0x80 != 0: // copy from the base
			var off, n int64
			for i := range 4 {
				if cmd&(1<<i) != 0 {
					b, err := delta.ReadByte()
					if err != nil {
						return deltaEOF(err)
					}
					off |= int64(b) << (8 * i)
				}
			}
			for i := range 3 {
				if cmd&(0x10<<i) != 0 {
					b, err := delta.ReadByte()
					if err != nil {
						return deltaEOF(err)
					}
					n |= int64(b) << (8 * i)
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if n > left || off+n > baseSize {
				return fmt.Errorf("%w: copies %d bytes at %d from a %d-byte base, %d bytes left to make", errBadDelta, n, off, baseSize, left)
			}
			if err := base.copyRange(w, off, n, buf); err != nil {
				return err
			}
			left -= n
		case cmd != 0: // insert the next cmd bytes of the delta
			n := int64(cmd)
			if n > left {
				return fmt.Errorf("%w: inserts %d bytes, %d left to make", errBadDelta, n, left)
			}
			var lit [127]byte
			if _, err := io.ReadFull(delta, lit[:n]); err != nil {
				return deltaEOF(err)
			}
			if _, err := w.Write(lit[:n]); err != nil {
				return err
			}
			left -= n
		default:
			return fmt.Errorf("%w: reserved instruction 0", errBadDelta)
		}
	}
	if _, err := delta.ReadByte(); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: data past the object's end", errBadDelta)
	}
	return nil
}
