package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/pack"
	"github.com/kiln-build/kiln/pack/syspkg"
	"github.com/kiln-build/kiln/pack/syspkg/repo"
	"github.com/kiln-build/kiln/shlibs"
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
	var src syspkg.MetaSource
	var out string
	var found []string
	cmd := &cobra.Command{
		Use:   "sign {META.json | --package package.json} [ARCH=PAYLOAD.zip...]",
		Short: "Record payloads in a package's metainfo and sign it with a developer certificate",
		Long:  help("syspkg-sign"),
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if src.Package != "" && out == "" {
				return errors.New("--out is required with --package")
			}
			if err := src.Args(args); err != nil {
				return err
			}
			if len(found) > 0 {
				if src.Package == "" {
					return errors.New("--shlibs adds to --package's dependencies: give --package")
				}
				src.Edit = func(p *pack.Package) error {
					for _, f := range found {
						r, err := shlibs.ReadResult(f)
						if err != nil {
							return fmt.Errorf("--shlibs %s: %w", f, err)
						}
						p.Derive(r.Depends, r.Sonames)
					}
					return nil
				}
			}
			m, err := src.Load()
			if err != nil {
				return err
			}
			s, err := dev.pair().Signer()
			if err != nil {
				return err
			}
			signed, err := syspkg.Sign(m, s)
			if err != nil {
				return fmt.Errorf("%s: %w", cmp.Or(src.Package, src.File), err)
			}
			out = cmp.Or(out, src.File)
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
	fl.StringVar(&src.Package, "package", "", "make the metainfo from kiln's package metadata (JSON) instead of META.json")
	fl.StringVar(&src.BaseURL, "base-url", "", "payloads are published under this URL with their built names: the URL mask is BASE-URL/ID-$VERSION-$ARCH.zip")
	fl.StringArrayVar(&found, "shlibs", nil, "add the dependencies a build's shared-library step found (its JSON result for the package) to --package's (repeatable: one per architecture)")
	fl.StringVar(&src.URL, "url", "", "set the payload URL mask ($VERSION, $RELEASE, $ARCH), e.g. https://example.org/repo/hello-$VERSION-$ARCH.zip")
	return cmd
}

func syspkgIndexCmd() *cobra.Command {
	keys := repoKeyFlags()
	var o repo.IndexOptions
	cmd := &cobra.Command{
		Use:   "index DIR --url BASE-URL",
		Short: "Write the signed repository list and the HTML catalog of a directory of syspkg packages",
		Long:  help("syspkg-index"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if o.BaseURL == "" {
				return fmt.Errorf("--url is required: the http(s) address %s is published at", args[0])
			}
			if o.Signer, err = keys.pair().Signer(); err != nil {
				return err
			}
			r, err := repo.Index(args[0], o)
			if oe, ok := err.(*repo.OptionError); ok {
				return fmt.Errorf("--%w", oe) // the options are named as the flags
			} else if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d packages, signed by %q)\n", r.List, len(r.Entries), o.Signer.Cert.Subject.CommonName)
			if r.HTML != "" {
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", r.HTML)
			}
			return nil
		},
	}
	keys.register(cmd.Flags())
	fl := cmd.Flags()
	fl.StringVar(&o.BaseURL, "url", os.Getenv("KILN_REPO_URL"), "http(s) address DIR is published at [$KILN_REPO_URL]")
	fl.StringVar(&o.List, "list", "repolist.txt", "name of the signed list in DIR")
	fl.StringVar(&o.HTML, "html", "index.html", `name of the catalog page in DIR ("" for none)`)
	fl.StringVar(&o.Lang, "lang", "", "language of the catalog: description translation shown (de, en_GB, ...)")
	fl.StringVar(&o.Title, "title", "", "catalog title (default: the repository certificate's name)")
	fl.StringArrayVar(&o.Labels, "label", nil, "translate a catalog label or category: Name=Text (repeatable)")
	fl.StringVar(&o.LabelsFile, "labels", "", "file of Name=Text lines translating catalog labels and categories")
	fl.BoolVar(&o.AllowUnsigned, "allow-unsigned", false, "list metainfo without a signature (syspkg will not install them)")
	return cmd
}
