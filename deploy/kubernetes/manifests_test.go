// Package kubernetes_test decodes every manifest of deploy/kubernetes
// strictly into the Kubernetes API types (unknown or misspelt fields are
// errors) and checks that the pieces fit: the shard count, workload identity,
// volumes and the files the commands read. It is the only package that links
// k8s.io/api.
package kubernetes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/tenantgate/tenantgate/internal/shard"
)

// objects holds every manifest, decoded, by kind.
type objects struct {
	namespaces []corev1.Namespace
	accounts   []corev1.ServiceAccount
	configMaps []corev1.ConfigMap
	claims     []corev1.PersistentVolumeClaim
	cronJobs   []batchv1.CronJob
}

// strict decodes one YAML document into v, refusing unknown fields.
func strict(doc []byte, v any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// appendDecoded strictly decodes doc as a T and appends it.
func appendDecoded[T any](list *[]T, doc []byte) error {
	var v T
	if err := strict(doc, &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}

func load(t *testing.T) objects {
	t.Helper()
	files, _ := filepath.Glob("*.yaml")
	if len(files) < 5 {
		t.Fatalf("manifests: %v", files)
	}
	var o objects
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(raw, []byte("\n---\n")) {
			var meta struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s doc %d: %v", f, i, err)
			}
			var err error
			switch meta.APIVersion + " " + meta.Kind {
			case "v1 Namespace":
				err = appendDecoded(&o.namespaces, doc)
			case "v1 ServiceAccount":
				err = appendDecoded(&o.accounts, doc)
			case "v1 ConfigMap":
				err = appendDecoded(&o.configMaps, doc)
			case "v1 PersistentVolumeClaim":
				err = appendDecoded(&o.claims, doc)
			case "batch/v1 CronJob":
				err = appendDecoded(&o.cronJobs, doc)
			default:
				t.Fatalf("%s doc %d: unexpected %s %s", f, i, meta.APIVersion, meta.Kind)
			}
			if err != nil {
				t.Fatalf("%s doc %d (%s): %v", f, i, meta.Kind, err)
			}
		}
	}
	return o
}

// TestStrictDecodingCatchesTypos: the decoder used above does reject an
// unknown field (a misspelt key would otherwise be silently dropped).
func TestStrictDecodingCatchesTypos(t *testing.T) {
	var cj batchv1.CronJob
	err := strict([]byte("apiVersion: batch/v1\nkind: CronJob\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      completionsMode: Indexed\n"), &cj)
	if err == nil || !strings.Contains(err.Error(), "completionsMode") {
		t.Errorf("typo accepted: %v", err)
	}
}

func TestManifests(t *testing.T) {
	o := load(t)
	if len(o.namespaces) != 1 || len(o.accounts) != 1 || len(o.configMaps) != 1 || len(o.claims) != 1 || len(o.cronJobs) != 2 {
		t.Fatalf("%d namespaces, %d service accounts, %d config maps, %d claims, %d cron jobs", len(o.namespaces), len(o.accounts), len(o.configMaps), len(o.claims), len(o.cronJobs))
	}
	ns := o.namespaces[0].Name
	sa := o.accounts[0]
	if sa.Namespace != ns || sa.Annotations["azure.workload.identity/client-id"] == "" {
		t.Errorf("service account %s/%s: annotations %v", sa.Namespace, sa.Name, sa.Annotations)
	}
	cm := o.configMaps[0]
	if !slices.Contains(o.claims[0].Spec.AccessModes, corev1.ReadWriteMany) {
		t.Error("the data volume must be ReadWriteMany: the shards run on several nodes")
	}

	var collect, report *batchv1.CronJob
	for i := range o.cronJobs {
		switch o.cronJobs[i].Labels["app.kubernetes.io/component"] {
		case "collect":
			collect = &o.cronJobs[i]
		case "report":
			report = &o.cronJobs[i]
		}
	}
	if collect == nil || report == nil {
		t.Fatal("want a collect and a report CronJob")
	}
	for _, cj := range []*batchv1.CronJob{collect, report} {
		checkPod(t, cj, ns, sa.Name, cm)
	}

	// The collection: an Indexed Job of N pods, each collecting shard
	// $(JOB_COMPLETION_INDEX)/N of the tenants file.
	js := collect.Spec.JobTemplate.Spec
	if js.CompletionMode == nil || *js.CompletionMode != batchv1.IndexedCompletion || js.Completions == nil || js.Parallelism == nil {
		t.Fatal("the collection must be an Indexed Job with completions and parallelism")
	}
	n := int(*js.Completions)
	if int(*js.Parallelism) != n {
		t.Errorf("parallelism %d, completions %d: shards would wait", *js.Parallelism, n)
	}
	pod := js.Template
	if pod.Labels["azure.workload.identity/use"] != "true" {
		t.Error("collection pods lack the azure.workload.identity/use label: no federated token would be injected")
	}
	args := pod.Spec.Containers[0].Args
	if !slices.Contains(args, fmt.Sprintf("--shard=$(JOB_COMPLETION_INDEX)/%d", n)) {
		t.Errorf("collect args %v do not shard by the completion index into %d", args, n)
	}
	if !slices.Contains(args, "--output-dir=/data/snapshots/shard-$(JOB_COMPLETION_INDEX)") {
		t.Errorf("collect args %v: each shard needs its own output directory", args)
	}
	// Every index is a valid shard of N.
	for k := range n {
		if _, err := shard.Parse(fmt.Sprintf("%d/%d", k, n)); err != nil {
			t.Error(err)
		}
	}
	// The report reads what the shards wrote.
	rargs := strings.Join(report.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args, " ")
	if !strings.Contains(rargs, "--snapshot=/data/snapshots/*/*.json") {
		t.Errorf("report args %q do not read every shard's snapshots", rargs)
	}
}

// checkPod: non-root as the image is built, the volumes the mounts name, the
// config files the arguments name, the service account of the fleet.
func checkPod(t *testing.T, cj *batchv1.CronJob, ns, account string, cm corev1.ConfigMap) {
	t.Helper()
	spec := cj.Spec.JobTemplate.Spec.Template.Spec
	name := cj.Name
	if cj.Namespace != ns || spec.ServiceAccountName != account || spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("%s: namespace %q, service account %q, restart %q", name, cj.Namespace, spec.ServiceAccountName, spec.RestartPolicy)
	}
	sc := spec.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
		t.Errorf("%s: pods must run as nonroot (65532)", name)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers", name, len(spec.Containers))
	}
	c := spec.Containers[0]
	if !regexp.MustCompile(`^ghcr\.io/tenantgate/tenantgate:v\d+\.\d+\.\d+$`).MatchString(c.Image) {
		t.Errorf("%s: image %q is not a pinned release", name, c.Image)
	}
	if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Errorf("%s: privilege escalation allowed", name)
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		v, ok := volumes[m.Name]
		if !ok {
			t.Errorf("%s: mount %s names no volume", name, m.Name)
		}
		if v.ConfigMap != nil && v.ConfigMap.Name != cm.Name {
			t.Errorf("%s: config map %s is not the fleet's %s", name, v.ConfigMap.Name, cm.Name)
		}
		mounts[m.MountPath] = m.Name
	}
	for _, a := range c.Args {
		for _, p := range regexp.MustCompile(`/config/([\w.-]+)`).FindAllStringSubmatch(a, -1) {
			if _, ok := cm.Data[p[1]]; !ok || mounts["/config"] == "" {
				t.Errorf("%s: %s reads /config/%s, which the config map does not provide", name, a, p[1])
			}
		}
		if strings.Contains(a, "/data/") && mounts["/data"] == "" {
			t.Errorf("%s: %s writes to /data, which is not mounted", name, a)
		}
	}
}
