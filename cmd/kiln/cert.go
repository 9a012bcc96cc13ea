package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/pack/syspkg/sign"
	"github.com/spf13/cobra"
)

// certCmd manages syspkg certificates, the seed's "cert", "cert --repo"
// and "cert --sign": a repository certificate signs repository lists and
// issues developer certificates, a developer certificate signs package
// metainfo.
func certCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cert",
		Short: "Create syspkg developer and repository certificates, and sign developer certificates",
		Long:  help("cert"),
	}
	cmd.AddCommand(newCertCmd(sign.Developer), newCertCmd(sign.Repository), signCertCmd(), showCertCmd())
	return cmd
}

func newCertCmd(kind sign.Kind) *cobra.Command {
	var files sign.CertFiles
	var opts sign.CertOptions
	short := map[sign.Kind]string{
		sign.Developer:  "Create a developer certificate (signs packages) and its key",
		sign.Repository: "Create a repository certificate (signs repository lists and developer certificates) and its key",
	}[kind]
	cmd := &cobra.Command{
		Use:   string(kind) + " NAME",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Years <= 0 {
				return fmt.Errorf("--years %d: want a positive number", opts.Years)
			}
			written, err := files.Create(kind, strings.Join(args, ""), &opts)
			for _, f := range written {
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", f)
			}
			return atomicfile.ReplaceHint(err, "--force")
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&files.Out, "out", "o", string(kind), "write OUT.pem (or OUT.csr) and OUT.key")
	fl.StringVar(&opts.Country, "country", "", "two-letter country code for the subject (C=)")
	fl.StringVar(&files.KeyFile, "key", "", "certify this existing private key (PEM) instead of making one; no key file is written")
	fl.IntVar(&opts.Bits, "bits", sign.DefaultBits, "RSA key size of a new key")
	fl.IntVar(&opts.Years, "years", sign.DefaultYears, "validity in years, counted from January 1st of this year")
	fl.BoolVar(&files.Replace, "force", false, "replace existing output files")
	if kind == sign.Developer {
		fl.BoolVar(&files.CSR, "csr", false, "write a certificate signing request (OUT.csr) for a repository owner instead of a self-signed certificate")
	}
	return cmd
}

func signCertCmd() *cobra.Command {
	rk := repoKeyFlags()
	var out string
	var years int
	var force bool
	cmd := &cobra.Command{
		Use:   "sign DEVELOPER.pem|DEVELOPER.csr",
		Short: "Issue a developer certificate with the repository certificate (the seed's cert --sign)",
		Long:  help("cert-sign"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			written, err := sign.Issue(args[0], out, rk.pair(), &sign.CertOptions{Years: years}, force)
			if err != nil {
				return atomicfile.ReplaceHint(err, "--force")
			}
			fmt.Fprintln(cmd.OutOrStdout(), "wrote", written)
			return nil
		},
	}
	rk.register(cmd.Flags())
	cmd.Flags().StringVarP(&out, "out", "o", "", "issued certificate (default: the input's name with -signed.pem)")
	cmd.Flags().IntVar(&years, "years", sign.DefaultYears, "validity in years of a certificate issued for a request (a certificate keeps its own)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing output file")
	return cmd
}

func showCertCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE...",
		Short: "Describe certificates and certificate requests: kind, subject, issuer, validity",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, file := range args {
				data, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				desc, err := sign.Describe(data)
				if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", file, desc)
			}
			return nil
		},
	}
}
