// Package charttest renders the hero-exporter Helm chart (deploy/helm/hero-exporter) with
// the real Helm engine and checks every object it produces, decoded strictly into the
// Kubernetes and Prometheus Operator API types. It is a module of its own so that the
// exporter's module does not carry the Helm SDK.
package charttest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	chartDir    = "../helm/hero-exporter"
	repoRoot    = "../.."
	releaseName = "hero"
	namespace   = "monitoring"
	storePath   = "/var/lib/hero_exporter"
	tokensPath  = "/etc/hero_exporter/tokens"
)

// rendered is the set of objects of one rendering, by kind and name.
type rendered struct {
	configMaps      map[string]*corev1.ConfigMap
	services        map[string]*corev1.Service
	pvcs            map[string]*corev1.PersistentVolumeClaim
	deployments     map[string]*appsv1.Deployment
	daemonSets      map[string]*appsv1.DaemonSet
	serviceMonitors map[string]*monitoringv1.ServiceMonitor
	podMonitors     map[string]*monitoringv1.PodMonitor
	prometheusRules map[string]*monitoringv1.PrometheusRule
	list            []string // "Kind/name", sorted
}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	return ch
}

// render renders the chart with the values file (none: the defaults) like `helm template`
// would, and decodes every object strictly.
func render(t *testing.T, valuesFile string) *rendered {
	t.Helper()
	ch := loadChart(t)
	vals := chartutil.Values{}
	if valuesFile != "" {
		v, err := chartutil.ReadValuesFile(valuesFile)
		if err != nil {
			t.Fatal(err)
		}
		vals = v
	}
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{
		Name: releaseName, Namespace: namespace, Revision: 1, IsInstall: true,
	}, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	files, err := engine.Engine{Strict: true}.Render(ch, top)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	r := &rendered{
		configMaps: map[string]*corev1.ConfigMap{}, services: map[string]*corev1.Service{},
		pvcs: map[string]*corev1.PersistentVolumeClaim{}, deployments: map[string]*appsv1.Deployment{},
		daemonSets: map[string]*appsv1.DaemonSet{}, serviceMonitors: map[string]*monitoringv1.ServiceMonitor{},
		podMonitors: map[string]*monitoringv1.PodMonitor{}, prometheusRules: map[string]*monitoringv1.PrometheusRule{},
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") || strings.HasPrefix(filepath.Base(name), "_") {
			continue
		}
		// The YAML stream reader of apimachinery, as kubectl and Helm read manifests.
		rd := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(files[name])))
		for i := 0; ; i++ {
			doc, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(doc), []byte("---")))) == 0 {
				continue
			}
			r.add(t, fmt.Sprintf("%s#%d", name, i), doc)
		}
	}
	sort.Strings(r.list)
	return r
}

func (r *rendered) add(t *testing.T, where string, doc []byte) {
	t.Helper()
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		t.Fatalf("%s: %v\n%s", where, err, doc)
	}
	strict := func(into any) string {
		if err := yaml.UnmarshalStrict(doc, into); err != nil {
			t.Fatalf("%s: %s does not decode strictly: %v\n%s", where, head.Kind, err, doc)
		}
		v := reflect.ValueOf(into).Elem().FieldByName("ObjectMeta")
		name := v.FieldByName("Name").String()
		if name == "" {
			t.Fatalf("%s: %s without a name", where, head.Kind)
		}
		r.list = append(r.list, head.Kind+"/"+name)
		return name
	}
	want := map[string]string{
		"ConfigMap": "v1", "Service": "v1", "PersistentVolumeClaim": "v1", "Deployment": "apps/v1",
		"DaemonSet": "apps/v1", "ServiceMonitor": "monitoring.coreos.com/v1",
		"PodMonitor": "monitoring.coreos.com/v1", "PrometheusRule": "monitoring.coreos.com/v1",
	}
	if av, ok := want[head.Kind]; !ok || av != head.APIVersion {
		t.Fatalf("%s: unexpected object %s %s (the chart renders only %v)", where, head.APIVersion, head.Kind, want)
	}
	switch head.Kind {
	case "ConfigMap":
		o := &corev1.ConfigMap{}
		r.configMaps[strict(o)] = o
	case "Service":
		o := &corev1.Service{}
		r.services[strict(o)] = o
	case "PersistentVolumeClaim":
		o := &corev1.PersistentVolumeClaim{}
		r.pvcs[strict(o)] = o
	case "Deployment":
		o := &appsv1.Deployment{}
		r.deployments[strict(o)] = o
	case "DaemonSet":
		o := &appsv1.DaemonSet{}
		r.daemonSets[strict(o)] = o
	case "ServiceMonitor":
		o := &monitoringv1.ServiceMonitor{}
		r.serviceMonitors[strict(o)] = o
	case "PodMonitor":
		o := &monitoringv1.PodMonitor{}
		r.podMonitors[strict(o)] = o
	case "PrometheusRule":
		o := &monitoringv1.PrometheusRule{}
		r.prometheusRules[strict(o)] = o
	}
}

func only[T any](t *testing.T, what string, m map[string]*T) (string, *T) {
	t.Helper()
	if len(m) != 1 {
		t.Fatalf("%d %s objects, want 1", len(m), what)
	}
	for k, v := range m {
		return k, v
	}
	return "", nil
}

var (
	dashboardFiles = mustGlob("dashboards/*.json")
	ruleFiles      = mustGlob("rules/*.yml")
)

func mustGlob(pattern string) []string {
	m, err := filepath.Glob(filepath.Join(repoRoot, pattern))
	if err != nil || len(m) == 0 {
		panic(fmt.Sprintf("no %s in the repository (%v)", pattern, err))
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

const fullname = releaseName + "-hero-exporter"

func TestRenderedObjects(t *testing.T) {
	dash := func() []string {
		var out []string
		for _, f := range dashboardFiles {
			out = append(out, "ConfigMap/"+fullname+"-dashboard-"+strings.TrimSuffix(f, ".json"))
		}
		return out
	}
	for _, tc := range []struct {
		values string
		want   []string
	}{
		{"", append([]string{
			"ConfigMap/" + fullname, "Deployment/" + fullname, "PersistentVolumeClaim/" + fullname,
			"Service/" + fullname,
		}, dash()...)},
		{filepath.Join(chartDir, "ci", "full-values.yaml"), append([]string{
			"ConfigMap/" + fullname, "ConfigMap/" + fullname + "-logs", "DaemonSet/" + fullname + "-logs",
			"Deployment/" + fullname, "PersistentVolumeClaim/" + fullname, "PodMonitor/" + fullname + "-logs",
			"PrometheusRule/" + fullname, "Service/" + fullname, "ServiceMonitor/" + fullname,
		}, dash()...)},
	} {
		r := render(t, tc.values)
		want := slices.Clone(tc.want)
		sort.Strings(want)
		if !slices.Equal(r.list, want) {
			t.Errorf("values %q: rendered\n  %v\nwant\n  %v", tc.values, r.list, want)
		}
		t.Logf("values %q renders %d objects: %s", tc.values, len(r.list), strings.Join(r.list, ", "))
	}
}

// checkPod asserts what every pod of the chart must have: read-only root file system, no
// privilege escalation, every capability dropped, resources, probes on /-/healthy and
// /-/ready, no service account token, no secret in the environment.
func checkPod(t *testing.T, what string, spec corev1.PodSpec) {
	t.Helper()
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: the service account token is mounted; the exporter needs no Kubernetes API", what)
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", what, len(spec.Containers))
	}
	c := spec.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: root file system not read-only", what)
	}
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: privilege escalation allowed", what)
	}
	if sc == nil || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
		t.Errorf("%s: capabilities %+v, want drop [ALL] and nothing added", what, sc.Capabilities)
	}
	if sc != nil && sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged", what)
	}
	if spec.SecurityContext == nil || spec.SecurityContext.SeccompProfile == nil || spec.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: no RuntimeDefault seccomp profile", what)
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[res]; !ok || q.IsZero() {
			t.Errorf("%s: no %s request", what, res)
		}
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok || q.Cmp(c.Resources.Requests[corev1.ResourceMemory]) < 0 {
		t.Errorf("%s: memory limit %v below the request or missing", what, c.Resources.Limits)
	}
	probe := func(name string, p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s: %s probe %+v, want GET %s on port http", what, name, p, path)
		}
	}
	probe("liveness", c.LivenessProbe, "/-/healthy")
	probe("readiness", c.ReadinessProbe, "/-/ready")
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 9863 {
		t.Errorf("%s: ports %+v, want http 9863", what, c.Ports)
	}
	if len(c.EnvFrom) > 0 {
		t.Errorf("%s: envFrom %+v; tokens are files, never environment", what, c.EnvFrom)
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			t.Errorf("%s: env %s from %+v; tokens are files, never environment", what, e.Name, e.ValueFrom)
		}
		if strings.Contains(strings.ToLower(e.Name), "token") || strings.Contains(strings.ToLower(e.Name), "secret") {
			t.Errorf("%s: env %s looks like a secret", what, e.Name)
		}
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m
	}
	for _, v := range spec.Volumes {
		if _, ok := mounts[v.Name]; !ok {
			t.Errorf("%s: volume %s is not mounted", what, v.Name)
		}
		if v.Secret != nil && !mounts[v.Name].ReadOnly {
			t.Errorf("%s: secret volume %s mounted writable", what, v.Name)
		}
	}
	if m, ok := mounts["tmp"]; !ok || m.MountPath != "/tmp" {
		t.Errorf("%s: no writable /tmp (emptyDir) under the read-only root", what)
	}
	if m, ok := mounts["config"]; !ok || !m.ReadOnly || m.MountPath != "/etc/hero_exporter/hero.yml" {
		t.Errorf("%s: configuration mount %+v", what, m)
	}
	if !slices.Contains(c.Args, "--config.file=/etc/hero_exporter/hero.yml") || !slices.Contains(c.Args, "--storage.path="+storePath) {
		t.Errorf("%s: args %v", what, c.Args)
	}
	if m, ok := mounts["store"]; ok && m.MountPath != storePath {
		t.Errorf("%s: store mounted at %s", what, m.MountPath)
	}
}

func TestDeployment(t *testing.T) {
	for _, values := range []string{"", filepath.Join(chartDir, "ci", "full-values.yaml")} {
		t.Run(strings.TrimSuffix(filepath.Base(values+"default"), ".yaml"), func(t *testing.T) {
			r := render(t, values)
			name, d := only(t, "Deployment", r.deployments)
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
				t.Errorf("replicas %v, want 1 (one SQLite writer)", d.Spec.Replicas)
			}
			if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
				t.Errorf("strategy %q, want Recreate (the old pod must close the store first)", d.Spec.Strategy.Type)
			}
			spec := d.Spec.Template.Spec
			checkPod(t, "Deployment "+name, spec)
			psc := spec.SecurityContext
			if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
				t.Errorf("pod security context %+v: want runAsNonRoot and a non-zero runAsUser", psc)
			}
			// The store: the PVC the chart renders, mounted at the store path.
			pvcName, pvc := only(t, "PersistentVolumeClaim", r.pvcs)
			var store *corev1.Volume
			for i, v := range spec.Volumes {
				if v.Name == "store" {
					store = &spec.Volumes[i]
				}
			}
			if store == nil || store.PersistentVolumeClaim == nil || store.PersistentVolumeClaim.ClaimName != pvcName {
				t.Errorf("store volume %+v, want the PVC %s", store, pvcName)
			}
			if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteOnce) {
				t.Errorf("PVC access modes %v, want ReadWriteOnce", pvc.Spec.AccessModes)
			}
			if q := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; q.Cmp(resource.MustParse("1Gi")) < 0 {
				t.Errorf("PVC size %s", q.String())
			}
			if pvc.Annotations["helm.sh/resource-policy"] != "keep" {
				t.Error("the PVC (the incident history) is deleted with the release; want helm.sh/resource-policy: keep")
			}
			if out, err := exec.Command(exporterBinary(t), append(slices.Clone(spec.Containers[0].Args), "--help")...).CombinedOutput(); err != nil {
				t.Errorf("hero_exporter %v --help: %v\n%s", spec.Containers[0].Args, err, out)
			}
			// GOMEMLIMIT from the memory limit.
			c := spec.Containers[0]
			limit := c.Resources.Limits[corev1.ResourceMemory]
			wantLimit := fmt.Sprintf("%dMiB", limit.Value()*9/10>>20)
			found := false
			for _, e := range c.Env {
				if e.Name == "GOMEMLIMIT" {
					found = true
					if e.Value != wantLimit {
						t.Errorf("GOMEMLIMIT %s, want %s (90%% of %s)", e.Value, wantLimit, limit.String())
					}
				}
			}
			if !found {
				t.Error("no GOMEMLIMIT")
			}
			// The Service selects the pod on the http port.
			_, svc := only(t, "Service", r.services)
			for k, v := range svc.Spec.Selector {
				if d.Spec.Template.Labels[k] != v {
					t.Errorf("Service selector %s=%s does not match the pod labels %v", k, v, d.Spec.Template.Labels)
				}
			}
			if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" || svc.Spec.Ports[0].Port != 9863 || svc.Spec.Ports[0].TargetPort.String() != "http" {
				t.Errorf("Service ports %+v", svc.Spec.Ports)
			}
		})
	}
}

// TestTokensOnlyAsFiles: without a Secret nothing is mounted; with one, it is a read-only
// file volume the configuration points token_file at, and no Secret object or token value
// is ever rendered.
func TestTokensOnlyAsFiles(t *testing.T) {
	def := render(t, "")
	_, d := only(t, "Deployment", def.deployments)
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			t.Errorf("default values mount secret volume %s", v.Name)
		}
	}
	full := render(t, filepath.Join(chartDir, "ci", "full-values.yaml"))
	_, d = only(t, "Deployment", full.deployments)
	spec := d.Spec.Template.Spec
	var tokens *corev1.Volume
	for i, v := range spec.Volumes {
		if v.Secret != nil {
			tokens = &spec.Volumes[i]
		}
	}
	if tokens == nil || tokens.Secret.SecretName != "hero-exporter-tokens" {
		t.Fatalf("token volume %+v, want the existing Secret hero-exporter-tokens", tokens)
	}
	if tokens.Secret.DefaultMode == nil || *tokens.Secret.DefaultMode&0o077 != 0 {
		t.Errorf("token files mode %v, want readable by the owner only", tokens.Secret.DefaultMode)
	}
	var mount *corev1.VolumeMount
	for i, m := range spec.Containers[0].VolumeMounts {
		if m.Name == tokens.Name {
			mount = &spec.Containers[0].VolumeMounts[i]
		}
	}
	if mount == nil || !mount.ReadOnly || mount.MountPath != tokensPath {
		t.Fatalf("token mount %+v, want read-only at %s", mount, tokensPath)
	}
	cfg := heroConfig(t, full.configMaps[fullname])
	n := 0
	for _, s := range cfg.Sources {
		if s.TokenFile != "" {
			n++
			if !strings.HasPrefix(s.TokenFile, tokensPath+"/") {
				t.Errorf("source %s: token_file %s is not in the mounted Secret %s", s.Name, s.TokenFile, tokensPath)
			}
		}
		if s.TokenEnv != "" {
			t.Errorf("source %s reads its token from the environment", s.Name)
		}
	}
	if n == 0 {
		t.Error("the full values have no source with a token_file")
	}
	for _, cm := range full.configMaps {
		for k, v := range cm.Data {
			if strings.Contains(v, "token:") {
				t.Errorf("ConfigMap %s key %s holds an inline token", cm.Name, k)
			}
		}
	}
}

type heroFile struct {
	Sources []struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		TokenFile string `json:"token_file"`
		TokenEnv  string `json:"token_env"`
	} `json:"sources"`
	Logs []struct {
		Name          string   `json:"name"`
		Paths         []string `json:"paths"`
		Format        string   `json:"format"`
		LabelFromPath string   `json:"label_from_path"`
	} `json:"logs"`
}

func heroConfig(t *testing.T, cm *corev1.ConfigMap) heroFile {
	t.Helper()
	if cm == nil {
		t.Fatal("no configuration ConfigMap")
	}
	var f heroFile
	if err := yaml.Unmarshal([]byte(cm.Data["hero.yml"]), &f); err != nil {
		t.Fatalf("%s hero.yml: %v\n%s", cm.Name, err, cm.Data["hero.yml"])
	}
	return f
}

// TestConfigFromValues: the values' config is what hero.yml holds, and the real binary
// accepts the rendered files (default config, DaemonSet config).
func TestConfigFromValues(t *testing.T) {
	for _, values := range []string{"", filepath.Join(chartDir, "ci", "full-values.yaml")} {
		r := render(t, values)
		vals, err := chartutil.ReadValuesFile(filepath.Join(chartDir, "values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if values != "" {
			over, err := chartutil.ReadValuesFile(values)
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := over["config"]; ok {
				vals["config"] = c
			}
		}
		var got map[string]any
		if err := yaml.Unmarshal([]byte(r.configMaps[fullname].Data["hero.yml"]), &got); err != nil {
			t.Fatal(err)
		}
		want, _ := yaml.Marshal(vals["config"])
		var wantMap map[string]any
		_ = yaml.Unmarshal(want, &wantMap)
		if !reflect.DeepEqual(got, wantMap) {
			t.Errorf("values %q: hero.yml %v, want the values' config %v", values, got, wantMap)
		}
	}
	bin := exporterBinary(t)
	dir := t.TempDir()
	check := func(what, content string) {
		path := filepath.Join(dir, strings.ReplaceAll(what, " ", "-")+".yml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "check-config", "--config.file="+path).CombinedOutput()
		if err != nil {
			t.Errorf("hero_exporter check-config on the %s: %v\n%s\n%s", what, err, out, content)
		}
	}
	check("default configuration", render(t, "").configMaps[fullname].Data["hero.yml"])
	full := render(t, filepath.Join(chartDir, "ci", "full-values.yaml"))
	check("DaemonSet configuration", full.configMaps[fullname+"-logs"].Data["hero.yml"])
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// exporterBinary builds cmd/hero_exporter of the repository once.
func exporterBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hero-charttest-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "hero_exporter")
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/hero_exporter")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hero_exporter: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildBin != "" {
		os.RemoveAll(filepath.Dir(buildBin))
	}
	os.Exit(code)
}

// TestChartFilesMatchRepository: the chart's copies of the rule files and dashboards are
// byte for byte those of rules/ and dashboards/ (make chart copies them), and nothing else.
func TestChartFilesMatchRepository(t *testing.T) {
	for dir, names := range map[string][]string{"rules": ruleFiles, "dashboards": dashboardFiles} {
		inChart, err := filepath.Glob(filepath.Join(chartDir, "files", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		var chartNames []string
		for _, p := range inChart {
			chartNames = append(chartNames, filepath.Base(p))
		}
		if !slices.Equal(chartNames, names) {
			t.Errorf("chart files/%s holds %v, the repository's %s/ %v (run `make chart`)", dir, chartNames, dir, names)
		}
		for _, n := range names {
			repo, err := os.ReadFile(filepath.Join(repoRoot, dir, n))
			if err != nil {
				t.Fatal(err)
			}
			copied, err := os.ReadFile(filepath.Join(chartDir, "files", dir, n))
			if err != nil {
				t.Errorf("%s/%s is not in the chart (run `make chart`)", dir, n)
				continue
			}
			if !bytes.Equal(repo, copied) {
				t.Errorf("chart files/%s/%s differs from %s/%s (run `make chart`)", dir, n, dir, n)
			}
		}
	}
}

// TestDashboardConfigMaps: one ConfigMap per dashboard, labelled for the Grafana sidecar,
// holding the dashboard file byte for byte.
func TestDashboardConfigMaps(t *testing.T) {
	r := render(t, "")
	for _, f := range dashboardFiles {
		name := fullname + "-dashboard-" + strings.TrimSuffix(f, ".json")
		cm, ok := r.configMaps[name]
		if !ok {
			t.Errorf("no ConfigMap %s for dashboards/%s", name, f)
			continue
		}
		if cm.Labels["grafana_dashboard"] != "1" {
			t.Errorf("%s: labels %v, want grafana_dashboard: \"1\"", name, cm.Labels)
		}
		want, err := os.ReadFile(filepath.Join(repoRoot, "dashboards", f))
		if err != nil {
			t.Fatal(err)
		}
		if len(cm.Data) != 1 || cm.Data[f] != string(want) {
			t.Errorf("%s: data differs from dashboards/%s%s (keys %v)", name, f, firstDiff(cm.Data[f], string(want)), slices.Collect(func(yield func(string) bool) {
				for k := range cm.Data {
					if !yield(k) {
						return
					}
				}
			}))
		}
	}
}

// TestPrometheusRuleCarriesRules: the PrometheusRule's groups are the groups of the rule
// files, unchanged (names, expressions, durations, labels, annotations).
func TestPrometheusRuleCarriesRules(t *testing.T) {
	r := render(t, filepath.Join(chartDir, "ci", "full-values.yaml"))
	_, pr := only(t, "PrometheusRule", r.prometheusRules)
	var want []monitoringv1.RuleGroup
	for _, f := range []string{"hero_rules.yml", "hero_alerts.yml", "hero_fleet_rules.yml"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "rules", f))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Groups []monitoringv1.RuleGroup `json:"groups"`
		}
		if err := yaml.UnmarshalStrict(b, &file); err != nil {
			t.Fatalf("rules/%s: %v", f, err)
		}
		want = append(want, file.Groups...)
	}
	if !reflect.DeepEqual(pr.Spec.Groups, want) {
		got, _ := yaml.Marshal(pr.Spec.Groups)
		exp, _ := yaml.Marshal(want)
		t.Errorf("PrometheusRule groups differ from rules/:\n--- rendered\n%s\n--- rules/\n%s", got, exp)
	}
	if pr.Labels["release"] != "kube-prometheus-stack" {
		t.Errorf("PrometheusRule labels %v lack the values' labels", pr.Labels)
	}
	n := 0
	for _, g := range pr.Spec.Groups {
		n += len(g.Rules)
	}
	t.Logf("PrometheusRule: %d groups, %d rules", len(pr.Spec.Groups), n)
}

// TestServiceMonitorKeepsExporterLabels: the ServiceMonitor scrapes the Service's http
// port with honorLabels (the documented answer to target-label clashes) and sets
// job="hero_exporter", which the shipped rules and dashboards select.
func TestServiceMonitorKeepsExporterLabels(t *testing.T) {
	r := render(t, filepath.Join(chartDir, "ci", "full-values.yaml"))
	_, sm := only(t, "ServiceMonitor", r.serviceMonitors)
	_, svc := only(t, "Service", r.services)
	for k, v := range sm.Spec.Selector.MatchLabels {
		if svc.Labels[k] != v {
			t.Errorf("ServiceMonitor selects %s=%s, the Service has %v", k, v, svc.Labels)
		}
	}
	checkEndpoint := func(what string, port string, honor bool, relabel []monitoringv1.RelabelConfig) {
		if port != "http" {
			t.Errorf("%s: port %q, want http", what, port)
		}
		if !honor {
			t.Errorf("%s: honorLabels not true: target labels would rename the exporter's service/team/type", what)
		}
		ok := false
		for _, rc := range relabel {
			if rc.TargetLabel == "job" && rc.Replacement != nil && *rc.Replacement == "hero_exporter" {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: no relabelling to job=\"hero_exporter\": %+v", what, relabel)
		}
	}
	if len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("ServiceMonitor endpoints %+v", sm.Spec.Endpoints)
	}
	ep := sm.Spec.Endpoints[0]
	checkEndpoint("ServiceMonitor", ep.Port, ep.HonorLabels, ep.RelabelConfigs)
	_, pm := only(t, "PodMonitor", r.podMonitors)
	if len(pm.Spec.PodMetricsEndpoints) != 1 {
		t.Fatalf("PodMonitor endpoints %+v", pm.Spec.PodMetricsEndpoints)
	}
	pep := pm.Spec.PodMetricsEndpoints[0]
	port := ""
	if pep.Port != nil {
		port = *pep.Port
	}
	checkEndpoint("PodMonitor", port, pep.HonorLabels, pep.RelabelConfigs)
	_, ds := only(t, "DaemonSet", r.daemonSets)
	for k, v := range pm.Spec.Selector.MatchLabels {
		if ds.Spec.Template.Labels[k] != v {
			t.Errorf("PodMonitor selects %s=%s, the DaemonSet's pods have %v", k, v, ds.Spec.Template.Labels)
		}
	}
}

// TestLogDaemonSet: /var/log/pods mounted read-only from the host, positions on the
// documented hostPath or emptyDir, a configuration with logs and no sources (only the
// exceptions collector has anything to report) and the Kubernetes path label.
func TestLogDaemonSet(t *testing.T) {
	for _, tc := range []struct {
		name, values  string
		hostPositions bool
	}{
		{"hostPath positions", filepath.Join(chartDir, "ci", "full-values.yaml"), true},
		{"emptyDir positions", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := tc.values
			if values == "" {
				values = filepath.Join(t.TempDir(), "logs.yaml")
				if err := os.WriteFile(values, []byte("logs:\n  enabled: true\n  positions:\n    type: emptyDir\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := render(t, values)
			name, ds := only(t, "DaemonSet", r.daemonSets)
			spec := ds.Spec.Template.Spec
			checkPod(t, "DaemonSet "+name, spec)
			mounts := map[string]corev1.VolumeMount{}
			for _, m := range spec.Containers[0].VolumeMounts {
				mounts[m.Name] = m
			}
			vols := map[string]corev1.Volume{}
			for _, v := range spec.Volumes {
				vols[v.Name] = v
			}
			pods := vols["pods"]
			if pods.HostPath == nil || pods.HostPath.Path != "/var/log/pods" || !mounts["pods"].ReadOnly || mounts["pods"].MountPath != "/var/log/pods" {
				t.Errorf("pod logs: volume %+v mount %+v, want /var/log/pods from the host, read-only", pods, mounts["pods"])
			}
			for n, m := range mounts {
				if n != "positions" && n != "tmp" && !m.ReadOnly {
					t.Errorf("mount %s is writable; only the positions and /tmp may be", n)
				}
			}
			pos := vols["positions"]
			psc := spec.SecurityContext
			if tc.hostPositions {
				if pos.HostPath == nil || pos.HostPath.Path != "/var/lib/hero-exporter-logs" {
					t.Errorf("positions volume %+v, want the hostPath /var/lib/hero-exporter-logs", pos)
				}
			} else {
				if pos.EmptyDir == nil {
					t.Errorf("positions volume %+v, want an emptyDir", pos)
				}
				if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
					t.Errorf("emptyDir positions: pod security context %+v, want non-root", psc)
				}
			}
			if mounts["positions"].MountPath != storePath {
				t.Errorf("positions mounted at %s, want the store path %s", mounts["positions"].MountPath, storePath)
			}
			cfg := heroConfig(t, r.configMaps[fullname+"-logs"])
			if len(cfg.Sources) != 0 {
				t.Errorf("the DaemonSet configuration has sources %v; it must run the exceptions collector only", cfg.Sources)
			}
			if len(cfg.Logs) != 1 || cfg.Logs[0].LabelFromPath != "kubernetes" || cfg.Logs[0].Format != "cri" ||
				!slices.Equal(cfg.Logs[0].Paths, []string{"/var/log/pods/*/*/*.log"}) {
				t.Errorf("DaemonSet logs %+v, want /var/log/pods/*/*/*.log, format cri, label_from_path kubernetes", cfg.Logs)
			}
			args := spec.Containers[0].Args
			for _, off := range []string{"incidents", "responders", "teams", "sources", "trends", "config"} {
				if !slices.Contains(args, "--no-collector."+off) {
					t.Errorf("DaemonSet args %v do not turn the %s collector off", args, off)
				}
			}
			if slices.Contains(args, "--no-collector.exceptions") {
				t.Errorf("DaemonSet args %v turn the exceptions collector off", args)
			}
			// The binary accepts every argument (kingpin refuses an unknown flag before it
			// handles --help).
			if out, err := exec.Command(exporterBinary(t), append(slices.Clone(args), "--help")...).CombinedOutput(); err != nil {
				t.Errorf("hero_exporter %v --help: %v\n%s", args, err, out)
			}
			if ds.Spec.Template.Annotations["checksum/config"] == "" {
				t.Error("the DaemonSet does not roll on configuration changes (checksum/config)")
			}
		})
	}
}

// firstDiff describes where two texts first differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf(" at line %d:\n  rendered %q\n  file     %q\n", i+1, a, b)
		}
	}
	return fmt.Sprintf(" (%d bytes rendered, %d in the file)", len(got), len(want))
}
