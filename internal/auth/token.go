// Package auth turns a bearer token into the acting user. Tokens look like
// "mrm_<token_id>_<secret>": the id finds the row by primary key and only the SHA-256 hash of the
// secret is stored, compared in constant time.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

const tokenPrefix = "mrm_"

// NewSecret returns a fresh random secret and the hash to store for it.
func NewSecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics if the system cannot supply)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret is the stored form of a secret.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// FormatToken is the plaintext token handed to the user, once.
func FormatToken(tokenID int32, secret string) string {
	return tokenPrefix + strconv.FormatInt(int64(tokenID), 10) + "_" + secret
}

// ParseToken splits a plaintext token; ok is false for anything not of the token's shape.
func ParseToken(token string) (tokenID int32, secret string, ok bool) {
	rest, found := strings.CutPrefix(token, tokenPrefix)
	if !found {
		return 0, "", false
	}
	idText, secret, found := strings.Cut(rest, "_")
	if !found || secret == "" {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idText, 10, 32)
	if err != nil || id < 1 {
		return 0, "", false
	}
	return int32(id), secret, true
}
