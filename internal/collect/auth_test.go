package collect

import (
	"context"
	"errors"
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
		token   string // for static tokens: the one it yields
	}{
		{"static token wins over --auth", conn.Options{Auth: "device-code"}, map[string]string{TokenEnv: "tok"}, "", TokenEnv, ""},
		{"device code needs a client id", conn.Options{Auth: "device-code"}, nil, "--client-id or AZURE_CLIENT_ID", "", ""},
		{"device code", conn.Options{Auth: "device-code", ClientID: "00000000-0000-0000-0000-000000000001"}, nil, "", "device code", ""},
		{"client secret needs the tenant", conn.Options{Auth: "client-secret", ClientID: "c"}, map[string]string{"AZURE_CLIENT_SECRET": secret}, "needs --tenant", "", ""},
		{"client secret needs the secret", conn.Options{Auth: "client-secret", ClientID: "c", TenantID: "t"}, nil, "AZURE_CLIENT_SECRET", "", ""},
		{"client secret", conn.Options{Auth: "client-secret", TenantID: "00000000-0000-0000-0000-000000000002"}, map[string]string{"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": secret}, "", "client secret", ""},
		{"certificate needs a file", conn.Options{Auth: "certificate", ClientID: "c", TenantID: "t"}, nil, "--certificate FILE", "", ""},
		{"certificate file missing", conn.Options{Auth: "certificate", ClientID: "c", TenantID: "t", Certificate: "/nonexistent.pem"}, nil, "--certificate", "", ""},
		{"workload identity needs a federated token", conn.Options{Auth: "workload-identity", ClientID: "c", TenantID: "t"}, nil, "AZURE_FEDERATED_TOKEN_FILE", "", ""},
		{"workload identity via GitHub OIDC", conn.Options{Auth: "workload-identity", ClientID: "c", TenantID: "00000000-0000-0000-0000-000000000002"},
			map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:1/token?x=1", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": secret}, "", "GitHub Actions OIDC", ""},
		{"managed identity", conn.Options{Auth: "managed-identity"}, nil, "", "managed identity", ""},
		{"azure cli", conn.Options{Auth: "azure-cli"}, nil, "", "Azure CLI", ""},
		{"unknown mode", conn.Options{Auth: "kerberos"}, nil, "unknown --auth", "", ""},
		// Credentials handed over in the options (fleet collection) win over
		// the process environment; NoEnvToken keeps TENANTGATE_ACCESS_TOKEN out.
		{"the tenant's token beats the process's", conn.Options{AccessToken: "tenant-tok"}, map[string]string{TokenEnv: "process-tok"}, "", "the tenant's access token", "tenant-tok"},
		{"the tenant's token beats --auth", conn.Options{AccessToken: "tenant-tok", Auth: "azure-cli"}, nil, "", "the tenant's access token", "tenant-tok"},
		{"NoEnvToken ignores the process token", conn.Options{NoEnvToken: true, Auth: "device-code", ClientID: "c"}, map[string]string{TokenEnv: "process-tok"}, "", "device code", ""},
		{"the tenant's client secret, none in the environment", conn.Options{Auth: "client-secret", ClientID: "c", TenantID: "00000000-0000-0000-0000-000000000002", ClientSecret: secret}, nil, "", "client secret", ""},
		{"no secret anywhere", conn.Options{Auth: "client-secret", ClientID: "c", TenantID: "t", NoEnvToken: true}, map[string]string{TokenEnv: "process-tok"}, "AZURE_CLIENT_SECRET", "", ""},
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
			if err != nil || cred == nil || !strings.Contains(desc, tt.wantTyp) || strings.Contains(desc, secret) || strings.Contains(desc, "-tok") {
				t.Fatalf("credential %T %q, err %v", cred, desc, err)
			}
			if st, ok := cred.(staticToken); tt.token != "" && (!ok || st.token != tt.token) {
				t.Fatalf("credential %T, want the static token %q", cred, tt.token)
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

// A token that cannot be had against a local endpoint (the emulator) says
// how to give one; against Graph itself, or with a token given, it does not.
func TestTokenErrorHint(t *testing.T) {
	fail := errors.New("DefaultAzureCredential: failed to acquire a token")
	hint := "export TENANTGATE_ACCESS_TOKEN=emulator"
	for _, tc := range []struct {
		endpoint, env string
		want          bool
	}{
		{"http://127.0.0.1:8080", "", true},
		{"http://localhost:8080", "", true},
		{"", "", false},
		{"https://graph.microsoft.com", "", false},
		{"http://127.0.0.1:8080", "some-token", false},
		{"http://localhost:8080", "some-token", false},
	} {
		t.Setenv(TokenEnv, tc.env)
		opts := conn.Options{GraphEndpoint: tc.endpoint}
		err := tokenError(opts, "azidentity default chain", fail, newObserver(opts))
		if got := strings.Contains(err.Error(), hint); got != tc.want || !errors.Is(err, fail) {
			t.Errorf("endpoint %q, env %q: %v", tc.endpoint, tc.env, err)
		}
	}
}

// With nothing set up for the default chain against Graph (a first run on a
// laptop), the error starts with what to do, and azcore's rules of dashes
// do not reach the one-line message.
func TestTokenErrorFirstRun(t *testing.T) {
	t.Setenv(TokenEnv, "")
	fail := errors.New("DefaultAzureCredential: failed to acquire a token. GET http://169.254.169.254/x\n------------------------------\nRESPONSE 403: 403 Forbidden\n------------------------------\nresolve_deny")
	opts := conn.Options{TenantID: "contoso.onmicrosoft.com"}
	err := tokenError(opts, "azidentity default chain", fail, newObserver(opts))
	msg := err.Error()
	for _, want := range []string{"none of them worked: run `az login` and add --auth azure-cli", "export TENANTGATE_ACCESS_TOKEN", "GET http://169.254.169.254/x RESPONSE 403: 403 Forbidden resolve_deny"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "--------") || strings.Contains(msg, "\n") || !errors.Is(err, fail) {
		t.Errorf("%q", msg)
	}
	opts.Auth = "azure-cli"
	if msg := tokenError(opts, "Azure CLI", fail, newObserver(opts)).Error(); strings.Contains(msg, "none of them worked") {
		t.Errorf("an explicit --auth gets the first-run hint: %s", msg)
	}
}
