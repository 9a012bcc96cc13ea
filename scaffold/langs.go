package scaffold

import "strings"

// lang is what one language adds to a recipe: its fields after the
// common ones, and its source files (relative to the recipe directory).
type lang struct {
	summary        string
	targets        []string
	targetsComment string
	fields         obj
	files          map[string]string
}

var langs = map[string]func(name string) lang{
	"c":      cLang,
	"go":     goLang,
	"rust":   rustLang,
	"python": pythonLang,
	"shell":  shellLang,
}

const (
	nativeTargets = "The targets to build for (kiln targets lists them all). This is also\nthe default when targets is left out."
	noarchTargets = "noarch: one package for every device, as it holds no machine code."
	sourcesNote   = "Local sources: src/ beside this file (.gitignore is honoured)."
	buildNote     = "Scripts run in $srcdir with bash -e -o pipefail, without network; the\ntarget's cross compiler is $CC (kiln's README lists every variable)."
	packageNote   = "Install into $pkgdir: what is there becomes the package."
	testNote      = "Install tests unpack the package into a root of the target and run\nthere, under qemu-user for another architecture."
)

var native = []string{"x86_64", "aarch64", "armv7"}

// greeting is the line every program prints, and its install test checks.
func greeting(name string) string { return "Hello from " + name + "!" }

func installTest(name string) field {
	return field{key: "tests", comment: testNote, value: []any{obj{
		{key: "stage", value: "install"},
		{key: "checks", value: []any{obj{
			{key: "command", value: name},
			{key: "output", value: "^" + strings.NewReplacer(".", `\.`, "+", `\+`).Replace(greeting(name)) + "$"},
		}}},
	}}}
}

func srcSources() field {
	return field{key: "sources", comment: sourcesNote, value: []any{obj{{key: "path", value: "src"}}}}
}

func installBin(name, file string) field {
	return field{key: "package", comment: packageNote, value: block(`install -D -m 0755 ` + file + ` "$pkgdir/usr/bin/` + name + `"` + "\n")}
}

func cLang(name string) lang {
	return lang{
		summary: "A C program", targets: native, targetsComment: nativeTargets,
		fields: obj{
			srcSources(),
			{key: "build", comment: buildNote, value: block("make CC=\"$CC\"\n")},
			{key: "package", comment: packageNote, value: block("make install DESTDIR=\"$pkgdir\" PREFIX=/usr\n")},
			installTest(name),
		},
		files: map[string]string{
			"src/Makefile": "CC ?= cc\nCFLAGS ?= -O2 -Wall\nPREFIX ?= /usr\n\n" +
				name + ": main.c\n\t$(CC) $(CFLAGS) -o $@ main.c\n\n" +
				"install: " + name + "\n\tinstall -D -m 0755 " + name + " $(DESTDIR)$(PREFIX)/bin/" + name + "\n\n" +
				"clean:\n\trm -f " + name + "\n\n.PHONY: install clean\n",
			"src/main.c": "#include <stdio.h>\n\nint main(void)\n{\n\tputs(\"" + greeting(name) + "\");\n\treturn 0;\n}\n",
		},
	}
}

// crossLang is a compiled language whose Debian compiler (makedepends)
// cross-compiles for the native targets with the build script.
func crossLang(name, summary, mdNote string, makedepends []string, buildNote, script string, files map[string]string) lang {
	return lang{
		summary: summary, targets: native, targetsComment: nativeTargets,
		fields: obj{
			{key: "makedepends", comment: mdNote, value: makedepends},
			srcSources(),
			{key: "build", comment: buildNote, value: block(script)},
			installBin(name, name),
			installTest(name),
		},
		files: files,
	}
}

func goLang(name string) lang {
	return crossLang(name, "A Go program",
		"Debian's Go compiler, installed into the toolchain (build:NAME is a Debian\npackage). It cross-compiles by itself: CGO_ENABLED=0 needs no C compiler.",
		[]string{"build:golang-go"},
		buildNote+"\nModules other than the standard library need vendoring (go mod vendor).",
		`case "$CHOST" in
  x86_64-*)  export GOARCH=amd64 ;;
  aarch64-*) export GOARCH=arm64 ;;
  arm*)      export GOARCH=arm GOARM=7 ;;
  *) echo "no GOARCH for $CHOST" >&2; exit 1 ;;
esac
export GOOS=linux CGO_ENABLED=0 GOPROXY=off
export GOPATH="$srcdir/.go" GOCACHE="$srcdir/.go/cache"
go build -trimpath -buildvcs=false -ldflags="-s -w -buildid=" -o `+name+" .\n",
		map[string]string{
			"src/go.mod":  "module example.org/" + name + "\n\ngo 1.19\n",
			"src/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"" + greeting(name) + "\")\n}\n",
		})
}

func rustLang(name string) lang {
	crate := strings.NewReplacer(".", "_", "+", "_").Replace(name)
	return crossLang(name, "A Rust program",
		"Debian's Rust compiler and cargo in the toolchain, and the standard\nlibrary for the target's architecture (build:NAME:target).",
		[]string{"build:rustc", "build:cargo", "build:libstd-rust-dev:target"},
		buildNote+"\nCrates from crates.io need vendoring (cargo vendor).",
		`case "$CHOST" in
  x86_64-linux-gnu)    triple=x86_64-unknown-linux-gnu ;;
  aarch64-linux-gnu)   triple=aarch64-unknown-linux-gnu ;;
  arm-linux-gnueabihf) triple=armv7-unknown-linux-gnueabihf ;;
  *) echo "no Rust target for $CHOST" >&2; exit 1 ;;
esac
export CARGO_HOME="$srcdir/.cargo" RUSTFLAGS="--remap-path-prefix=$srcdir=."
export "CARGO_TARGET_$(echo "$triple" | tr a-z- A-Z_)_LINKER=$CC"
cargo build --offline --release --target "$triple"
cp "target/$triple/release/`+crate+`" `+name+"\n",
		map[string]string{
			"src/Cargo.toml":  "[package]\nname = \"" + crate + "\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[profile.release]\nstrip = false\n",
			"src/src/main.rs": "fn main() {\n    println!(\"" + greeting(name) + "\");\n}\n",
		})
}

func pythonLang(name string) lang {
	return lang{
		summary: "A Python program", targets: []string{"noarch"}, targetsComment: noarchTargets,
		fields: obj{
			{key: "depends", comment: "Installed on the device with the package.", value: []string{"python3"}},
			srcSources(),
			installBin(name, "main.py"),
		},
		files: map[string]string{
			"src/main.py": "#!/usr/bin/python3\n\"\"\"" + name + ": prints a greeting.\"\"\"\n\n\ndef main():\n    print(\"" + greeting(name) + "\")\n\n\nif __name__ == \"__main__\":\n    main()\n",
		},
	}
}

func shellLang(name string) lang {
	return lang{
		summary: "A shell script", targets: []string{"noarch"}, targetsComment: noarchTargets,
		fields: obj{
			srcSources(),
			installBin(name, "main.sh"),
			installTest(name),
		},
		files: map[string]string{
			"src/main.sh": "#!/bin/sh\n# " + name + ": prints a greeting.\necho \"" + greeting(name) + "\"\n",
		},
	}
}
