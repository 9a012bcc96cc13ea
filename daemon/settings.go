package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/kiln-build/kiln/internal/atomicfile"
)

// settingsName is the file in the home holding the environment the
// managed daemon was last configured from.
const settingsName = "settings.json"

// settingVars are the variables that configure the managed daemon.
var settingVars = []string{"KILN_INSECURE_REGISTRIES", "KILN_REGISTRY_MIRRORS"}

// settings resolves the daemon's settings: a variable set in the
// environment (even to "", which means none) wins, else the value saved
// by the last start. A daemon that died (killed, or the machine
// rebooted) so comes back as it was, though the shell restarting it has
// none of the variables set.
func (m *Managed) settings() (map[string]string, error) {
	saved, err := m.savedSettings()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, v := range settingVars {
		if val, ok := os.LookupEnv(v); ok {
			out[v] = val
		} else if val, ok := saved[v]; ok {
			out[v] = val
		}
	}
	return out, nil
}

func (m *Managed) savedSettings() (map[string]string, error) {
	saved := map[string]string{}
	data, err := os.ReadFile(m.path(settingsName))
	if errors.Is(err, fs.ErrNotExist) {
		return saved, nil
	}
	if err == nil {
		err = json.Unmarshal(data, &saved)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the managed daemon's settings %s: %w", m.path(settingsName), err)
	}
	return saved, nil
}

func (m *Managed) saveSettings(s map[string]string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(m.path(settingsName), append(data, '\n'), 0o600)
}

// changedSettings lists the variables the environment sets to something
// else than the running daemon was started with: they apply only once it
// restarts. Note: the file describes the last start, which is the running
// daemon's, since every start writes it under the home's lock.
func (m *Managed) changedSettings() []string {
	if _, err := os.Stat(m.path(settingsName)); err != nil {
		return nil // started by a kiln that kept no settings: unknown
	}
	saved, err := m.savedSettings()
	if err != nil {
		return nil
	}
	var out []string
	for _, v := range settingVars {
		if val, ok := os.LookupEnv(v); ok && val != saved[v] {
			out = append(out, fmt.Sprintf("%s=%q (the daemon has %q)", v, val, saved[v]))
		}
	}
	return slices.Clip(out)
}
