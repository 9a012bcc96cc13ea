package feed

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// arMagic starts every ar archive, and so every .ipk.
const arMagic = "!<arch>\n"

// arHeaderSize is the size of an ar member header: name (16), mtime (12),
// uid (6), gid (6), mode (8), size (10) and the terminator "`\n" (2).
const arHeaderSize = 60

// arMember is one member of an ar archive held in memory.
type arMember struct {
	Name string
	Data []byte
}

// arMembers splits the ar archive data into its members. It reads the
// archive itself rather than through github.com/blakesmith/ar, whose reader
// takes a member size on trust: a size of -60 seeks back onto the same
// header and loops forever. Here a size must be a plain decimal number that
// fits in what is left of the archive, so every step moves forward.
func arMembers(data []byte) ([]arMember, error) {
	if !bytes.HasPrefix(data, []byte(arMagic)) {
		return nil, errors.New("not an .ipk: no ar archive header")
	}
	var members []arMember
	off := len(arMagic)
	for off < len(data) {
		if len(data)-off < arHeaderSize {
			return nil, fmt.Errorf("ar archive: truncated member header at offset %d", off)
		}
		h := data[off : off+arHeaderSize]
		if string(h[58:60]) != "`\n" {
			return nil, fmt.Errorf("ar archive: bad member header at offset %d", off)
		}
		name := strings.TrimRight(string(h[0:16]), " ")
		sizeField := strings.TrimRight(string(h[48:58]), " ")
		size, err := strconv.ParseInt(sizeField, 10, 64)
		if err != nil || size < 0 || sizeField == "" || sizeField[0] == '+' {
			return nil, fmt.Errorf("ar archive: member %q at offset %d: bad size %q", name, off, sizeField)
		}
		off += arHeaderSize
		if size > int64(len(data)-off) {
			return nil, fmt.Errorf("ar archive: member %q at offset %d: size %d runs past the end of the archive (%d bytes left)",
				name, off-arHeaderSize, size, len(data)-off)
		}
		members = append(members, arMember{Name: name, Data: data[off : off+int(size)]})
		off += int(size)
		if size%2 == 1 && off < len(data) {
			off++ // members start on even offsets; the last one may omit the pad
		}
	}
	return members, nil
}

// Member is the content of the ar member called name in data (an .ipk:
// "control.tar.gz", "data.tar.gz"), read with arMembers' checks.
func Member(data []byte, name string) ([]byte, error) {
	ms, err := arMembers(data)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if strings.TrimSuffix(m.Name, "/") == name {
			return m.Data, nil
		}
	}
	return nil, fmt.Errorf("no %s in the archive", name)
}
