package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
)

// Cache keeps the recipes of files that loaded without a problem, keyed by
// the file's path and bytes and by Salt, so a run over unchanged recipes
// skips evaluating them against the schema. Salt must change whenever the
// loader may (the CLI uses its own executable's size and time). Problems are
// never cached: a file with errors is evaluated every time.
type Cache struct {
	Dir  string
	Salt string
}

type cachedRecipe struct {
	Recipe *Recipe `json:"recipe"`
	Epoch  int64   `json:"epoch"`
}

func (c *Cache) file(path string, data []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(c.Salt), {0}, []byte(path), {0}, data} {
		h.Write(part)
	}
	return filepath.Join(c.Dir, hex.EncodeToString(h.Sum(nil))+".json")
}

// get returns the recipes cached for path with these bytes.
func (c *Cache) get(path string, data []byte) ([]*Recipe, bool) {
	if c == nil {
		return nil, false
	}
	b, err := os.ReadFile(c.file(path, data))
	if err != nil {
		return nil, false
	}
	var cached []cachedRecipe
	if err := json.Unmarshal(b, &cached); err != nil || len(cached) == 0 {
		return nil, false
	}
	rs := make([]*Recipe, len(cached))
	for i, cr := range cached {
		if cr.Recipe == nil {
			return nil, false
		}
		rs[i] = cr.Recipe
		rs[i].Epoch = cr.Epoch
	}
	return rs, true
}

// put records recipes loaded from path; failing to is only a missed speed-up.
func (c *Cache) put(path string, data []byte, rs []*Recipe) {
	if c == nil || len(rs) == 0 {
		return
	}
	cached := make([]cachedRecipe, len(rs))
	for i, r := range rs {
		cached[i] = cachedRecipe{Recipe: r, Epoch: r.Epoch}
	}
	b, err := json.Marshal(cached)
	if err != nil || os.MkdirAll(c.Dir, 0o755) != nil {
		return
	}
	dst := c.file(path, data)
	tmp, err := os.CreateTemp(c.Dir, ".recipe-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), dst) != nil {
		os.Remove(tmp.Name())
	}
}
