package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
)

// TokenEnv names the environment variable holding a bearer token acquired
// elsewhere; it is used as is for Graph and ARM.
const TokenEnv = "TENANTGATE_ACCESS_TOKEN"

// staticToken is a TokenCredential returning TENANTGATE_ACCESS_TOKEN.
type staticToken struct{ token string }

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func azureCloud(name string) cloud.Configuration {
	switch name {
	case "usgov", "usgov-dod":
		return cloud.AzureGovernment
	case "china":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

// tokenError says why no first token could be had. The identity platform's
// answer is server text, so it is redacted like any other; with no
// credential configured for a local endpoint (tenantgate emulate, most
// likely), the message starts with what to do.
func tokenError(opts conn.Options, desc string, err error, obs *observer) error {
	hint := ""
	if opts.Auth == "" && os.Getenv(TokenEnv) == "" && opts.AccessToken == "" {
		if u, perr := url.Parse(opts.GraphEndpoint); perr == nil && u.Host != "" && conn.IsLoopback(u.Hostname()) {
			hint = fmt.Sprintf(" (a local endpoint such as tenantgate emulate accepts any token: export %s=emulator)", TokenEnv)
		} else {
			// The chain found nothing set up: a first run on a laptop. Say
			// what to do before azidentity's account of each credential.
			hint = fmt.Sprintf(" (none of them worked: run `az login` and add --auth azure-cli, or give --auth device-code --client-id APP, or export %s; `tenantgate collect --help` lists every --auth mode)", TokenEnv)
		}
	}
	// azcore frames each HTTP answer with rules of dashes: noise on one line.
	msg := strings.Join(strings.Fields(dashRule.ReplaceAllString(obs.redact(err.Error()), " ")), " ")
	return fmt.Errorf("cannot get a token for Microsoft Graph with %s%s: %w", desc, hint, redactedError{err, msg})
}

var dashRule = regexp.MustCompile(`-{8,}`)

// credential builds the token source for opts; desc names it for messages.
// The prompt writer receives the device-code instructions (never a secret).
func credential(opts conn.Options, prompt io.Writer) (cred azcore.TokenCredential, desc string, err error) {
	// A token or secret handed over in opts belongs to this tenant and wins
	// over the process environment, which every tenant of a fleet would share.
	if tok := strings.TrimSpace(string(opts.AccessToken)); tok != "" {
		return staticToken{tok}, "the tenant's access token", nil
	}
	if tok := strings.TrimSpace(os.Getenv(TokenEnv)); tok != "" && !opts.NoEnvToken {
		return staticToken{tok}, TokenEnv, nil
	}
	co := azcore.ClientOptions{Cloud: azureCloud(opts.Cloud)}
	tenant := opts.TenantID
	clientID := firstNonEmpty(opts.ClientID, os.Getenv("AZURE_CLIENT_ID"))
	needTenant := func() error {
		if tenant == "" {
			return fmt.Errorf("--auth %s needs --tenant (or AZURE_TENANT_ID)", opts.Auth)
		}
		return nil
	}
	needClient := func(hint string) error {
		if clientID == "" {
			return fmt.Errorf("--auth %s needs the application (client) id: --client-id or AZURE_CLIENT_ID%s", opts.Auth, hint)
		}
		return nil
	}
	switch opts.Auth {
	case "":
		cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: co, TenantID: tenant})
		desc = "azidentity default chain (environment, workload identity, managed identity, Azure CLI)"
	case "device-code":
		if err = needClient(" (an app registration allowing public client flows)"); err != nil {
			return nil, "", err
		}
		cred, err = azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: co, TenantID: tenant, ClientID: clientID,
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(prompt, m.Message)
				return err
			},
		})
		desc = "device code sign-in"
	case "client-secret":
		if err = errors.Join(needTenant(), needClient("")); err != nil {
			return nil, "", err
		}
		secret := firstNonEmpty(string(opts.ClientSecret), os.Getenv("AZURE_CLIENT_SECRET"))
		if secret == "" {
			return nil, "", errors.New("--auth client-secret reads the secret from AZURE_CLIENT_SECRET, which is not set (a secret is never taken as a flag: it would land in shell history)")
		}
		cred, err = azidentity.NewClientSecretCredential(tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: co})
		desc = "client secret of app " + clientID
	case "certificate":
		if err = errors.Join(needTenant(), needClient("")); err != nil {
			return nil, "", err
		}
		path := firstNonEmpty(opts.Certificate, os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH"))
		if path == "" {
			return nil, "", errors.New("--auth certificate needs --certificate FILE (PEM or PFX with the private key) or AZURE_CLIENT_CERTIFICATE_PATH")
		}
		data, rerr := inputerr.ReadFile(path, "certificate", maxCertificateBytes)
		if rerr != nil {
			return nil, "", fmt.Errorf("--certificate: %w", rerr)
		}
		certs, key, perr := azidentity.ParseCertificates(data, []byte(os.Getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD")))
		if perr != nil {
			return nil, "", fmt.Errorf("--certificate %s: %w", path, perr)
		}
		cred, err = azidentity.NewClientCertificateCredential(tenant, clientID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: co})
		desc = "certificate of app " + clientID
	case "managed-identity":
		mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: co}
		if clientID != "" {
			mo.ID = azidentity.ClientID(clientID)
		}
		cred, err = azidentity.NewManagedIdentityCredential(mo)
		desc = "managed identity"
	case "workload-identity":
		cred, desc, err = workloadIdentity(co, tenant, clientID, needTenant, needClient)
	case "azure-cli":
		cred, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenant})
		desc = "Azure CLI sign-in"
	default:
		return nil, "", fmt.Errorf("unknown --auth %q: want one of %s", opts.Auth, strings.Join(conn.AuthModes, ", "))
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", desc, err)
	}
	return cred, desc, nil
}

// workloadIdentity federates a Kubernetes service account token
// (AZURE_FEDERATED_TOKEN_FILE) or a GitHub Actions OIDC token.
func workloadIdentity(co azcore.ClientOptions, tenant, clientID string, needTenant func() error, needClient func(string) error) (azcore.TokenCredential, string, error) {
	if file := os.Getenv("AZURE_FEDERATED_TOKEN_FILE"); file != "" {
		cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: co, TenantID: tenant, ClientID: clientID, TokenFilePath: file})
		return cred, "workload identity (AZURE_FEDERATED_TOKEN_FILE)", err
	}
	reqURL, reqTok := os.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), os.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	if reqURL == "" || reqTok == "" {
		return nil, "", errors.New("--auth workload-identity needs AZURE_FEDERATED_TOKEN_FILE (Kubernetes) or a GitHub Actions job with `permissions: id-token: write`")
	}
	if err := errors.Join(needTenant(), needClient("")); err != nil {
		return nil, "", err
	}
	cred, err := azidentity.NewClientAssertionCredential(tenant, clientID, func(ctx context.Context) (string, error) {
		return githubOIDC(ctx, reqURL, reqTok)
	}, &azidentity.ClientAssertionCredentialOptions{ClientOptions: co})
	return cred, "workload identity (GitHub Actions OIDC)", err
}

// githubOIDC fetches a GitHub Actions ID token for Entra's token exchange.
func githubOIDC(ctx context.Context, reqURL, reqTok string) (string, error) {
	u, err := url.Parse(reqURL)
	if err != nil {
		return "", errors.New("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")
	}
	q := u.Query()
	q.Set("audience", "api://AzureADTokenExchange")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "bearer "+reqTok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("GitHub OIDC token request: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Value string `json:"value"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GitHub OIDC token request: HTTP %d (does the job have `permissions: id-token: write`?)", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.Value == "" {
		return "", errors.New("GitHub OIDC token request: no token in the response")
	}
	return body.Value, nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// maxCertificateBytes bounds the --certificate file read (a PEM or PFX
// chain is a few KiB).
const maxCertificateBytes = 1 << 20
