package syspkg

import (
	"strings"
	"testing"
)

func TestMetaFor(t *testing.T) {
	p := testPackage()
	p.Options = []byte(`{"category": "devel", "suggests": ["zsh"], "bugtracker": "https://example.org/bugs",
		"descriptions": [{"lang": "en", "name": "Hello", "text": "Says hello"}, {"lang": "de", "name": "Hallo", "text": "Sagt Hallo"}],
		"postinst": {"env": [{"name": "GREETING", "type": "str(hi)"}], "commands": ["echo $GREETING"]}}`)
	m, err := MetaFor(p, "https://example.org/repo/")
	if err != nil {
		t.Fatal(err)
	}
	if m.URL != "https://example.org/repo/hello-$VERSION-$ARCH.zip" || m.Category != "devel" || m.Bugtracker != "https://example.org/bugs" {
		t.Errorf("meta = %+v", m)
	}
	if len(m.Description) != 2 || m.Description[0].Name != "Hello" || m.Description[1].Lang != "de" {
		t.Errorf("descriptions = %+v", m.Description)
	}
	if strings.Join(m.Suggests, ",") != "zsh" || m.Postinst == nil || m.Postinst.Env[0].Type != "str(hi)" {
		t.Errorf("suggests %v postinst %+v", m.Suggests, m.Postinst)
	}
	if strings.Join(m.Depends, ",") != "libc6 2.31.0,zlib" {
		t.Errorf("depends = %v", m.Depends)
	}
	// The options' URL mask wins; without options the recipe fields do.
	p.Options = []byte(`{"url": "https://cdn.example.org/h-$ARCH.zip"}`)
	if m, err = MetaFor(p, "https://example.org/repo"); err != nil || m.URL != "https://cdn.example.org/h-$ARCH.zip" || m.Category != "tools" {
		t.Errorf("MetaFor = %+v, %v", m, err)
	}
	for opts, want := range map[string]string{
		`{"suggests": ["a b c"]}`:                               `suggests: "a b c"`,
		`{"descriptions": [{"lang": "German", "name": "x"}]}`:   `language code "German"`,
		`{"postinst": {"env": [{"name": "X", "type": "int"}]}}`: `type "int"`,
		`{"colour": 1}`: `unknown option "colour"`,
	} {
		p.Options = []byte(opts)
		if _, err := MetaFor(p, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("MetaFor(%s) = %v, want %q", opts, err, want)
		}
	}
}
