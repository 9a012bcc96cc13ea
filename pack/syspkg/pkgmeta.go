package syspkg

import (
	"fmt"

	"github.com/kiln-build/kiln/pack"
)

// MetaFor is the metainfo of kiln's package metadata p: FromPackage plus
// what the recipe gives under formats.syspkg (category, payload URL mask,
// translations, suggests, eula, bugtracker, screenshots, postinst). A
// translation in the options replaces the recipe's English text for its
// language and adds one otherwise. baseURL is where the payloads are
// published, for the URL mask when the options give none ("" leaves it
// empty). Payloads and files come from Index.
//
// The options' override only steers how Pack lays out the payload, which
// is by category once packed, so it is not repeated in the metainfo.
func MetaFor(p *pack.Package, baseURL string) (*Meta, error) {
	o, err := DecodeOptions(p)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", p.Name, err)
	}
	url := o.URL
	if url == "" && baseURL != "" {
		url = DefaultURL(baseURL, p.Name)
	}
	m, err := FromPackage(p, url, o.Category)
	if err != nil {
		return nil, err
	}
	for _, d := range o.Descriptions {
		t := Description{Lang: d.Lang, Name: d.Name, Text: d.Text}
		replaced := false
		for i := range m.Description {
			if m.Description[i].Lang == t.Lang {
				m.Description[i], replaced = t, true
			}
		}
		if !replaced {
			m.Description = append(m.Description, t)
		}
	}
	m.Suggests = o.Suggests
	m.EULA, m.Bugtracker, m.Screenshots = o.EULA, o.Bugtracker, o.Screenshots
	if pi := o.Postinst; pi != nil {
		m.Postinst = &Postinst{Commands: pi.Commands}
		for _, e := range pi.Env {
			m.Postinst.Env = append(m.Postinst.Env, EnvVar{Name: e.Name, Type: e.Type})
		}
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("package %s: metainfo: %w", p.Name, err)
	}
	return m, nil
}
