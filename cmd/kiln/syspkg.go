package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/spf13/cobra"
)

// syspkgCmd groups the syspkg steps that happen outside a build: signing a
// package's metainfo (the developer's side) and indexing a repository
// directory (the repository owner's side).
func syspkgCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "syspkg",
		Short: "Sign syspkg metainfo; index a syspkg repository (signed list + HTML catalog)",
	}
	cmd.AddCommand(syspkgSignCmd(), syspkgIndexCmd())
	return cmd
}

func syspkgSignCmd() *cobra.Command {
	dev := devKeyFlags()
	var out, mask, pkgFile, baseURL string
	cmd := &cobra.Command{
		Use:   "sign {META.json | --package package.json} [ARCH=PAYLOAD.zip...]",
		Short: "Record payloads in a package's metainfo and sign it with a developer certificate",
		Long: `Record payloads in a syspkg metainfo and sign it (the seed's "build" with
(arch)=(zipfile) arguments). Each ARCH=PAYLOAD.zip is scanned: its size,
sha256 and file list replace the payloads and files fields. Without payload
arguments the metainfo keeps the ones it has. A signature block the file
already ends in is replaced.

The metainfo is META.json, written by hand in the seed's format, or made
from kiln's package metadata (--package, the JSON the build's pack step
reads: recipe fields plus formats.syspkg) with the payload URL mask from
formats.syspkg.url or --base-url.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var m *syspkg.Meta
			var in string
			switch {
			case pkgFile != "":
				p, err := pack.ReadPackageJSON(pkgFile)
				if err != nil {
					return err
				}
				if m, err = syspkg.MetaFor(p, baseURL); err != nil {
					return fmt.Errorf("%s: %w", pkgFile, err)
				}
				in = pkgFile
				if out == "" {
					return fmt.Errorf("--out is required with --package")
				}
			case len(args) == 0 || strings.Contains(args[0], "="):
				return fmt.Errorf("name the metainfo (META.json) or the package metadata (--package)")
			default:
				in, args = args[0], args[1:]
				data, err := os.ReadFile(in)
				if err != nil {
					return err
				}
				if m, err = syspkg.ParseMeta(data); err != nil {
					return fmt.Errorf("%s: %w", in, err)
				}
				if baseURL != "" {
					m.URL = syspkg.DefaultURL(baseURL, m.ID)
				}
			}
			if mask != "" {
				m.URL = mask
			}
			var scanned []*syspkg.Scanned
			for _, a := range args {
				arch, file, ok := strings.Cut(a, "=")
				if !ok || arch == "" || file == "" {
					return fmt.Errorf("payload %q: want ARCH=PAYLOAD.zip", a)
				}
				s, err := syspkg.ScanPayloadFile(m.ID, arch, file)
				if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				scanned = append(scanned, s)
			}
			if len(scanned) > 0 {
				if err := m.Index(scanned...); err != nil {
					return err
				}
			}
			s, err := dev.signer()
			if err != nil {
				return err
			}
			signed, err := syspkg.Sign(m, s)
			if err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
			if out == "" {
				out = in
			}
			if err := atomicfile.Write(out, signed, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s %s, %d payloads, signed by %q)\n", out, m.ID, m.Version, len(m.Payloads), s.Cert.Subject.CommonName)
			return nil
		},
	}
	dev.register(cmd.Flags())
	fl := cmd.Flags()
	fl.StringVarP(&out, "out", "o", "", "signed metainfo (default: replace META.json)")
	fl.StringVar(&pkgFile, "package", "", "make the metainfo from kiln's package metadata (JSON) instead of META.json")
	fl.StringVar(&baseURL, "base-url", "", "payloads are published under this URL with their built names: the URL mask is BASE-URL/ID-$VERSION-$ARCH.zip")
	fl.StringVar(&mask, "url", "", "set the payload URL mask ($VERSION, $RELEASE, $ARCH), e.g. https://example.org/repo/hello-$VERSION-$ARCH.zip")
	return cmd
}

type indexFlags struct {
	url, list, html, lang, title, labelsFile string
	labels                                   []string
	allowUnsigned                            bool
}

func syspkgIndexCmd() *cobra.Command {
	repo := repoKeyFlags()
	var f indexFlags
	cmd := &cobra.Command{
		Use:   "index DIR --url BASE-URL",
		Short: "Write the signed repository list and the HTML catalog of a directory of syspkg packages",
		Long: `Index a syspkg repository directory: the signed metainfo files (*.json)
and their payload ZIPs, as they are uploaded to a web server at BASE-URL.

Every metainfo must be signed by a developer certificate the repository
issued (kiln cert sign); payloads whose URL lies under BASE-URL must be in
DIR with the size and sha256 the metainfo records. kiln then writes, in DIR:

  repolist.txt   the metainfo URLs, the repository certificate and the
                 signature block of the repository key (--list)
  index.html     a searchable catalog page (--html; "" for none)

Catalog labels are translated with --label Name=Text (the seed's names:
title, url, Repository, Search, "Package Size", "Installed Size", Download,
Homepage, Bugtracker, Maintainer, License, Depends, Suggests, Conflicts; any
other name is a category id) or a file of such lines (--labels); --lang
picks the description translation shown.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, repo, args[0])
		},
	}
	repo.register(cmd.Flags())
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", os.Getenv("KILN_REPO_URL"), "http(s) address DIR is published at [$KILN_REPO_URL]")
	fl.StringVar(&f.list, "list", "repolist.txt", "name of the signed list in DIR")
	fl.StringVar(&f.html, "html", "index.html", `name of the catalog page in DIR ("" for none)`)
	fl.StringVar(&f.lang, "lang", "", "language of the catalog: description translation shown (de, en_GB, ...)")
	fl.StringVar(&f.title, "title", "", "catalog title (default: the repository certificate's name)")
	fl.StringArrayVar(&f.labels, "label", nil, "translate a catalog label or category: Name=Text (repeatable)")
	fl.StringVar(&f.labelsFile, "labels", "", "file of Name=Text lines translating catalog labels and categories")
	fl.BoolVar(&f.allowUnsigned, "allow-unsigned", false, "list metainfo without a signature (syspkg will not install them)")
	return cmd
}

func (f *indexFlags) run(cmd *cobra.Command, repo *keyFlags, dir string) error {
	if f.url == "" {
		return fmt.Errorf("--url is required: the http(s) address %s is published at", dir)
	}
	for _, name := range []string{f.list, f.html} {
		if name != "" && name != filepath.Base(name) {
			return fmt.Errorf("output %q: a file name in %s, not a path", name, dir)
		}
	}
	if f.list == "" {
		return fmt.Errorf("--list: the repository list needs a file name")
	}
	s, err := repo.signer()
	if err != nil {
		return err
	}
	listURL := strings.TrimSuffix(f.url, "/") + "/" + f.list
	labels := syspkg.DefaultLabels(s.Cert, listURL)
	if f.labelsFile != "" {
		data, err := os.ReadFile(f.labelsFile)
		if err != nil {
			return fmt.Errorf("reading labels: %w", err)
		}
		if err := labels.ParseLabels(data); err != nil {
			return fmt.Errorf("%s: %w", f.labelsFile, err)
		}
	}
	for _, kv := range f.labels {
		name, text, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("--label %q: want Name=Text", kv)
		}
		if err := labels.SetLabel(name, text); err != nil {
			return fmt.Errorf("--label %q: %w", kv, err)
		}
	}
	if f.lang != "" {
		if err := labels.SetLabel("lang", f.lang); err != nil {
			return fmt.Errorf("--lang: %w", err)
		}
	}
	if f.title != "" {
		labels.Title = f.title
	}

	entries, err := syspkg.ReadRepoDir(dir, syspkg.RepoDirOptions{BaseURL: f.url, Repo: s.Cert, AllowUnsigned: f.allowUnsigned})
	if err != nil {
		return err
	}
	list, err := syspkg.RepoList(syspkg.RepoURLs(entries), s)
	if err != nil {
		return err
	}
	// Render the page before writing anything: both outputs or neither.
	var page bytes.Buffer
	if f.html != "" {
		if err := syspkg.Catalog(&page, syspkg.RepoMetas(entries), labels); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	listPath := filepath.Join(dir, f.list)
	if err := atomicfile.Write(listPath, list, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s (%d packages, signed by %q)\n", listPath, len(entries), s.Cert.Subject.CommonName)
	if f.html != "" {
		htmlPath := filepath.Join(dir, f.html)
		if err := atomicfile.Write(htmlPath, page.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(w, "wrote", htmlPath)
	}
	return nil
}
