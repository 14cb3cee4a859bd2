package api

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Cursors are opaque to clients: "c1." plus the base64 of the keyset position, so the format can
// change later without clients depending on it.
const cursorPrefix = "c1."

func encodeCursor(after int64) string {
	return cursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(after, 10)))
}

func decodeCursor(s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}
