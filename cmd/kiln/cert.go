package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
		Long: `Create syspkg certificates (X.509, RSA, sha256WithRSAEncryption).

  kiln cert repository "Example Repo"     repository.pem + repository.key: signs
                                          repository lists and developer certificates
  kiln cert developer "Jane Doe"          developer.pem + developer.key: signs packages
  kiln cert developer "Jane Doe" --csr    developer.csr + developer.key instead
  kiln cert sign developer.pem            the repository issues developer.pem (or a
                                          .csr): developer-signed.pem, for the developer
  kiln cert show FILE...                  what a certificate or request is

Private keys are written with mode 0600 and never replaced unless --force.
Check any result with openssl, e.g. openssl x509 -in developer.pem -noout -text.`,
	}
	cmd.AddCommand(newCertCmd(sign.Developer), newCertCmd(sign.Repository), signCertCmd(), showCertCmd())
	return cmd
}

func newCertCmd(kind sign.Kind) *cobra.Command {
	var files sign.CertFiles
	var opts sign.CertOptions
	var keyFile string
	short := map[sign.Kind]string{
		sign.Developer:  "Create a developer certificate (signs packages) and its key",
		sign.Repository: "Create a repository certificate (signs repository lists and developer certificates) and its key",
	}[kind]
	cmd := &cobra.Command{
		Use:   string(kind) + " NAME",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
				return errors.New(`the certificate needs a name: the developer's or repository's canonical name, e.g. "Jane Doe"`)
			}
			if opts.Years <= 0 {
				return fmt.Errorf("--years %d: want a positive number", opts.Years)
			}
			if keyFile != "" {
				k, err := os.ReadFile(keyFile)
				if err != nil {
					return fmt.Errorf("reading --key: %w", err)
				}
				if _, err := sign.ParseKey(k); err != nil {
					return fmt.Errorf("%s: %w", keyFile, err)
				}
				opts.Key = k
			}
			written, err := files.Create(kind, args[0], &opts)
			for _, f := range written {
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", f)
			}
			return forceHint(err)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&files.Out, "out", "o", string(kind), "write OUT.pem (or OUT.csr) and OUT.key")
	fl.StringVar(&opts.Country, "country", "", "two-letter country code for the subject (C=)")
	fl.StringVar(&keyFile, "key", "", "certify this existing private key (PEM) instead of making one; no key file is written")
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
		Long: `Issue a developer certificate with the repository's certificate and key.

The input is what the developer sent: a self-signed developer certificate
(kiln cert developer) or a certificate signing request (kiln cert developer
--csr, or openssl req with subject O=maintainer). The result keeps the
developer's name and key and is issued by the repository; packages signed
with it install for everyone who trusts the repository.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := args[0]
			request, err := os.ReadFile(in)
			if err != nil {
				return fmt.Errorf("reading developer certificate: %w", err)
			}
			repoCert, repoKeyPEM, err := rk.load()
			if err != nil {
				return err
			}
			opts := &sign.CertOptions{Years: years}
			issued, err := sign.SignRequest(repoCert, repoKeyPEM, request, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", in, err)
			}
			if out == "" {
				out = strings.TrimSuffix(in, filepath.Ext(in)) + "-signed.pem"
			}
			write := atomicfile.Create
			if force {
				write = atomicfile.Write
			}
			if err := write(out, issued, 0o644); err != nil {
				return forceHint(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "wrote", out)
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

// forceHint says how to get past an existing output file (atomicfile.Create
// and CheckAbsent fail with fs.ErrExist).
func forceHint(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; remove it or pass --force to replace it", pe.Path)
	}
	return err
}
