package main

import (
	"embed"
	"strings"
)

// The long help of commands that need more than a line lives in help/,
// one text file per command (its path joined with "-").
//
//go:embed help/*.txt
var helpFiles embed.FS

func help(name string) string {
	data, _ := helpFiles.ReadFile("help/" + name + ".txt") // present: TestHelpFiles
	return strings.TrimSpace(string(data))
}
