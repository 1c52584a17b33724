//go:build !credchain_front

package cli

import (
	"fmt"
	"time"

	"github.com/credchain/credchain/internal/ekstoken"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

func newEKSCmd(e *env, g *globals) *cobra.Command {
	o := &roleFlags{}
	var cluster string
	cmd := &cobra.Command{Use: "eks", Short: "Tokens for kubectl on EKS, as aws eks get-token makes them, without starting Python"}
	token := &cobra.Command{
		Use:   "token --cluster-name NAME [PROFILE] [--role-arn ARN]",
		Short: "Print the ExecCredential `aws eks get-token` prints (a presigned GetCallerIdentity, 60 s, for the cluster)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			c, s, _, err := o.resolve(cmd.Context(), e, g)
			if err != nil {
				return err
			}
			opts, err := s.STSOptions()
			if err != nil {
				return err
			}
			doc, err := ekstoken.Token(cmd.Context(), c, opts.Region, "", cluster, time.Now())
			if err != nil {
				return usageError{err}
			}
			out, err := doc.JSON()
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(out)
			return err
		},
		ValidArgsFunction: completeProfiles(e),
	}
	o.register(token)
	g.regionFlag(token)
	token.Flags().StringVar(&cluster, "cluster-name", "", "the EKS cluster's name")
	kubeconfig := &cobra.Command{
		Use:   "kubeconfig --cluster-name NAME [PROFILE]",
		Short: "Print the kubeconfig users entry that runs credchain eks token",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			if cluster == "" {
				return usageError{fmt.Errorf("--cluster-name is required")}
			}
			execArgs := []string{"eks", "token", "--cluster-name", cluster}
			if g.profileSet {
				execArgs = append(execArgs, "--profile", g.profile)
			}
			if g.region != "" {
				execArgs = append(execArgs, "--region", g.region)
			}
			doc := map[string]any{"users": []map[string]any{{"name": "credchain-" + cluster, "user": map[string]any{"exec": map[string]any{
				"apiVersion": ekstoken.APIVersion, "command": "credchain", "args": execArgs, "interactiveMode": "IfAvailable",
				"provideClusterInfo": false}}}}}
			out, err := yaml.Marshal(doc)
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(out)
			return err
		},
		ValidArgsFunction: completeProfiles(e),
	}
	g.regionFlag(kubeconfig)
	kubeconfig.Flags().StringVar(&cluster, "cluster-name", "", "the EKS cluster's name")
	cmd.AddCommand(token, kubeconfig)
	return cmd
}
