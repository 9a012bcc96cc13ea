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

// saltDir holds the entries of one Salt: a new kiln's first write removes
// the others, so the cache holds one build's worth of recipes.
func (c *Cache) saltDir() string {
	h := sha256.Sum256([]byte(c.Salt))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:8]))
}

func (c *Cache) file(path string, data []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(path), {0}, data} {
		h.Write(part)
	}
	return filepath.Join(c.saltDir(), hex.EncodeToString(h.Sum(nil))+".json")
}

// prune removes the entries of other salts.
func (c *Cache) prune() {
	entries, _ := os.ReadDir(c.Dir)
	keep := filepath.Base(c.saltDir())
	for _, e := range entries {
		if e.Name() != keep {
			os.RemoveAll(filepath.Join(c.Dir, e.Name()))
		}
	}
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
	if err != nil {
		return
	}
	dir := c.saltDir()
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		if os.MkdirAll(dir, 0o755) != nil {
			return
		}
		c.prune()
	}
	dst := c.file(path, data)
	tmp, err := os.CreateTemp(dir, ".recipe-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), dst) != nil {
		os.Remove(tmp.Name())
	}
}
