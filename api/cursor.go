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

// encodeKeyCursor is encodeCursor for a composite keyset position (a report ordered by several
// columns): the same prefix, the base64 of the values joined with dots.
func encodeKeyCursor(key []int64) string {
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return cursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ".")))
}

// decodeKeyCursor reads a position encodeKeyCursor made of n non-negative values; the service
// judges whether each is in its column's range.
func decodeKeyCursor(s string, n int) ([]int64, bool) {
	rest, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != n {
		return nil, false
	}
	key := make([]int64, n)
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 {
			return nil, false
		}
		key[i] = v
	}
	return key, true
}
