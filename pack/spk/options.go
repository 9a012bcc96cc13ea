package spk

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"

	"github.com/kiln-build/kiln/pack"
)

// DefaultOSMinVer is the os_min_ver written when a recipe gives none: the
// first DSM 7.0 build, the lowest value DSM 7 installs ("the value should be
// at least 7.0-40000 after DSM 7.0").
const DefaultOSMinVer = "7.0-40000"

// Options are the spk-specific settings a recipe gives under formats.spk.
// JSON names are the INFO keys they fill where there is one. Empty values
// mean "not written" (or the default DefaultOptions fills in).
type Options struct {
	// Package is the INFO package identity (default: the package name).
	// Package Center keeps it under /var/packages/<package>.
	Package string `json:"package,omitempty"`
	// Version overrides the Synology version derived from the package
	// version (see Version). Needed when that version has no Synology
	// form, e.g. a "~beta1" pre-release.
	Version     string `json:"version,omitempty"`
	DisplayName string `json:"displayname,omitempty"`
	// Description is one line (default: the package summary).
	Description string `json:"description,omitempty"`
	// Descriptions are its translations by Synology language code (fre,
	// ger, jpn, ...), written as description_<lang> (spksrc's
	// DESCRIPTION_<LANG>).
	Descriptions   map[string]string `json:"descriptions,omitempty"`
	Maintainer     string            `json:"maintainer,omitempty"`
	MaintainerURL  string            `json:"maintainer_url,omitempty"`
	Distributor    string            `json:"distributor,omitempty"`
	DistributorURL string            `json:"distributor_url,omitempty"`
	// Arch lists platform families (x86_64, armv8, ...) or specific
	// platforms (apollolake, ...), or is ["noarch"]. Default: the
	// package's arch mapped by Arch. A JSON string is split at spaces.
	Arch     ArchList `json:"arch,omitempty"`
	OSMinVer string   `json:"os_min_ver,omitempty"`
	OSMaxVer string   `json:"os_max_ver,omitempty"`

	// Yes/no flags: nil leaves the key out, so DSM's default applies.
	Beta            *bool `json:"beta,omitempty"`
	ThirdParty      *bool `json:"thirdparty,omitempty"`
	SilentInstall   *bool `json:"silent_install,omitempty"`
	SilentUpgrade   *bool `json:"silent_upgrade,omitempty"`
	SilentUninstall *bool `json:"silent_uninstall,omitempty"`
	// Startable is the pre-DSM 7 key, CtlStop its DSM 7 successor: false
	// means the package has no service to start or stop.
	Startable *bool `json:"startable,omitempty"`
	CtlStop   *bool `json:"ctl_stop,omitempty"`
	CheckPort *bool `json:"checkport,omitempty"`

	// Synology package names (optionally "name>version" and the like),
	// written joined with ':' as Package Center expects.
	InstallDepPackages      []string `json:"install_dep_packages,omitempty"`
	InstallConflictPackages []string `json:"install_conflict_packages,omitempty"`

	SupportURL string `json:"support_url,omitempty"`
	// HelpURL defaults to the package homepage, as spksrc does.
	HelpURL       string `json:"helpurl,omitempty"`
	ReportURL     string `json:"report_url,omitempty"`
	Changelog     string `json:"changelog,omitempty"`
	DSMUIDir      string `json:"dsmuidir,omitempty"`
	DSMAppName    string `json:"dsmappname,omitempty"`
	AdminProtocol string `json:"adminprotocol,omitempty"`
	AdminPort     int    `json:"adminport,omitempty"`
	AdminURL      string `json:"adminurl,omitempty"`

	// Privilege and Resource are written as conf/privilege and
	// conf/resource. On DSM 7 a package without conf/privilege does not
	// install, so a default privilege (run-as package) is written then.
	Privilege json.RawMessage `json:"privilege,omitempty"`
	Resource  json.RawMessage `json:"resource,omitempty"`

	// Icon (64x64) and Icon256 (256x256) are paths of PNG files, read when
	// packing. With one of them the other is scaled from it; with neither
	// kiln draws a default icon.
	Icon    string `json:"icon,omitempty"`
	Icon256 string `json:"icon_256,omitempty"`

	// Wizard is a directory of install wizard files (install_uifile,
	// upgrade_uifile, uninstall_uifile and their _LANG translations),
	// written as WIZARD_UIFILES/ (spksrc's WIZARDS_DIR).
	Wizard string `json:"wizard,omitempty"`

	// Scripts maps script names (ScriptNames) to their content. They are
	// added to the package's own Scripts, replacing same-named ones.
	Scripts map[string]string `json:"scripts,omitempty"`
}

// ArchList is a list of Synology arch values. It decodes from a JSON list
// or from a string as INFO writes it ("x86_64 armv8").
type ArchList []string

// UnmarshalJSON implements json.Unmarshaler.
func (a *ArchList) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		*a = strings.Fields(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return errors.New("arch must be a string or a list of strings")
	}
	*a = list
	return nil
}

// DefaultOptions are the options of a package whose recipe sets nothing
// under formats.spk: identity, maintainer, description and help URL come
// from p. Version and Arch stay empty: they are derived from p when
// packing, where a failed mapping can be reported.
func DefaultOptions(p *pack.Package) Options {
	desc := p.Summary
	if strings.TrimSpace(desc) == "" {
		// INFO holds one line; a multi-line description reads fine joined.
		desc = strings.Join(strings.Fields(p.Description), " ")
	}
	return Options{
		Package:     p.Name,
		Maintainer:  p.Maintainer,
		Description: desc,
		HelpURL:     p.Homepage,
		OSMinVer:    DefaultOSMinVer,
		Scripts:     maps.Clone(p.Scripts),
	}
}

// decodeOptions reads the formats.spk object of a recipe over the defaults
// of p. Empty input (or null) means no options. Unknown keys are an error:
// a misspelt key would otherwise be dropped without a word.
func decodeOptions(raw []byte, p *pack.Package) (Options, error) {
	o := DefaultOptions(p)
	if err := pack.DecodeOptions("spk", raw, &o); err != nil {
		return Options{}, err
	}
	return o, nil
}

// optionsFor returns the options p is packed with: the recipe's
// formats.spk object over the defaults, with the recipe's install hooks
// mapped onto Synology's scripts beneath any scripts the options give.
func optionsFor(p *pack.Package) (Options, error) {
	o, err := decodeOptions(p.Options, p)
	if err != nil {
		return Options{}, err
	}
	hooks := hookScripts(p.Hooks, p.HookEnv())
	if len(hooks) > 0 {
		if o.Scripts == nil {
			o.Scripts = map[string]string{}
		}
		for name, body := range hooks {
			if _, given := o.Scripts[name]; !given {
				o.Scripts[name] = body
			}
		}
	}
	return o, nil
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	default:
		return "no"
	}
}
