package collect

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/tenantgate/tenantgate/internal/conn"
)

// Credential selection fails early, with a message naming what is missing
// and never the secret. None of these cases reaches the network.
func TestCredentialSelection(t *testing.T) {
	const secret = "s3cr3t-value-never-echoed"
	tests := []struct {
		name    string
		opts    conn.Options
		env     map[string]string
		want    string // error substring; "" = a credential is built
		wantTyp string
	}{
		{"static token wins over --auth", conn.Options{Auth: "device-code"}, map[string]string{TokenEnv: "tok"}, "", TokenEnv},
		{"device code needs a client id", conn.Options{Auth: "device-code"}, nil, "--client-id or AZURE_CLIENT_ID", ""},
		{"device code", conn.Options{Auth: "device-code", ClientID: "00000000-0000-0000-0000-000000000001"}, nil, "", "device code"},
		{"client secret needs the tenant", conn.Options{Auth: "client-secret", ClientID: "c"}, map[string]string{"AZURE_CLIENT_SECRET": secret}, "needs --tenant", ""},
		{"client secret needs the secret", conn.Options{Auth: "client-secret", ClientID: "c", TenantID: "t"}, nil, "AZURE_CLIENT_SECRET", ""},
		{"client secret", conn.Options{Auth: "client-secret", TenantID: "00000000-0000-0000-0000-000000000002"}, map[string]string{"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": secret}, "", "client secret"},
		{"certificate needs a file", conn.Options{Auth: "certificate", ClientID: "c", TenantID: "t"}, nil, "--certificate FILE", ""},
		{"certificate file missing", conn.Options{Auth: "certificate", ClientID: "c", TenantID: "t", Certificate: "/nonexistent.pem"}, nil, "--certificate", ""},
		{"workload identity needs a federated token", conn.Options{Auth: "workload-identity", ClientID: "c", TenantID: "t"}, nil, "AZURE_FEDERATED_TOKEN_FILE", ""},
		{"workload identity via GitHub OIDC", conn.Options{Auth: "workload-identity", ClientID: "c", TenantID: "00000000-0000-0000-0000-000000000002"},
			map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:1/token?x=1", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": secret}, "", "GitHub Actions OIDC"},
		{"managed identity", conn.Options{Auth: "managed-identity"}, nil, "", "managed identity"},
		{"azure cli", conn.Options{Auth: "azure-cli"}, nil, "", "Azure CLI"},
		{"unknown mode", conn.Options{Auth: "kerberos"}, nil, "unknown --auth", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{TokenEnv, "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
				"AZURE_CLIENT_CERTIFICATE_PATH", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"} {
				t.Setenv(k, tt.env[k])
			}
			cred, desc, err := credential(tt.opts, &strings.Builder{})
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want %q", err, tt.want)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatal("the secret is in the error")
				}
				return
			}
			if err != nil || cred == nil || !strings.Contains(desc, tt.wantTyp) || strings.Contains(desc, secret) {
				t.Fatalf("credential %T %q, err %v", cred, desc, err)
			}
		})
	}
}

func TestStaticTokenIsUsedAsIs(t *testing.T) {
	tok, err := staticToken{"abc"}.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil || tok.Token != "abc" {
		t.Fatalf("%v %v", tok, err)
	}
}
