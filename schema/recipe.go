// Package schema owns the recipe model: the embedded CUE schema, loading
// recipes from CUE, YAML or JSON, validating them, and the typed Go form
// that the rest of kiln compiles.
package schema

// Recipe is one validated recipe. Fields mirror #Recipe in recipe.cue.
type Recipe struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Summary     string   `json:"summary"`
	Description string   `json:"description,omitempty"`
	License     string   `json:"license"`
	Homepage    string   `json:"homepage,omitempty"`
	Maintainer  string   `json:"maintainer"`
	Section     string   `json:"section,omitempty"`
	Timestamp   string   `json:"timestamp"`
	Targets     []string `json:"targets"`
	Sources     []Source `json:"sources,omitempty"`
	Depends     []string `json:"depends,omitempty"`
	Makedepends []string `json:"makedepends,omitempty"`
	Conflicts   []string `json:"conflicts,omitempty"`
	Prepare     string   `json:"prepare,omitempty"`
	Build       string   `json:"build,omitempty"`
	Package     string   `json:"package,omitempty"`

	// File is the recipe file as given to the loader; Dir is its directory.
	// Local sources are relative to Dir.
	File string `json:"-"`
	Dir  string `json:"-"`
	// Epoch is Timestamp as Unix seconds: the build's SOURCE_DATE_EPOCH.
	Epoch int64 `json:"-"`
}

// Source is one entry of a recipe's sources. Exactly one of Path, URL, Git
// is set.
type Source struct {
	// Path is a local file or directory relative to the recipe, filtered by
	// .gitignore files.
	Path string `json:"path,omitempty"`

	// URL is fetched by the daemon and checked against SHA256 (mandatory).
	URL    string `json:"url,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// Extract unpacks an archive URL (default true); Strip drops leading
	// path components when extracting; Filename names the file when not
	// extracted (default: the URL's last path element).
	Extract  *bool  `json:"extract,omitempty"`
	Strip    int    `json:"strip,omitempty"`
	Filename string `json:"filename,omitempty"`

	// Git is a repository URL pinned to Commit (a full 40-hex SHA).
	Git    string `json:"git,omitempty"`
	Commit string `json:"commit,omitempty"`

	// Dest is a subdirectory of $srcdir the source lands in (default: $srcdir).
	Dest string `json:"dest,omitempty"`
}

// Kind names which of Path, URL, Git the source uses.
func (s Source) Kind() string {
	switch {
	case s.URL != "":
		return "url"
	case s.Git != "":
		return "git"
	default:
		return "path"
	}
}

// ShouldExtract reports whether a URL source is unpacked (the default).
func (s Source) ShouldExtract() bool { return s.Extract == nil || *s.Extract }
