package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lints and renders {@code helm/sluice} with a real Helm (helm-java) and parses every rendered document
 * strictly as a Kubernetes object: unknown fields (which the fabric8 model would silently keep in
 * {@code additionalProperties}) and string/number/boolean coercion both fail the test.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "sluice");
    private static final Path DEPLOY = Path.of("deploy");
    private static final String RELEASE = "rel";
    private static final String NAMESPACE = "apps";
    private static final String FULLNAME = "rel-sluice";
    private static final String PG_URL = "jdbc:postgresql://db:5432/app";
    private static final List<String> DATA_PATHS = List.of("/v2", "/v2/pipeline", "/v3", "/v3/pipeline", "/v3/cursor",
            "/health", "/version");

    /** YAML reader for splitting the rendered stream into documents. */
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Strict mapper for the typed model: no coercion between strings, numbers and booleans. */
    private static final ObjectMapper STRICT = strictMapper();

    @TempDir
    Path tmp;

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    // ---------------------------------------------------------------------------------------------
    // lint and defaults

    @Test
    void shouldPassStrictLint() {
        LintResult result = new Helm(CHART).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void shouldRenderDefaultsAsSingleReplicaSqliteWithProbesOnTheManagementPort() {
        Rendered r = render(Map.of());

        Deployment deployment = r.one(Deployment.class, FULLNAME);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(r.all(Deployment.class)).hasSize(1);

        Container c = container(deployment);
        assertThat(port(c, "management").getContainerPort()).isEqualTo(9000);
        assertThat(port(c, "http").getContainerPort()).isEqualTo(8080);
        assertProbe(c.getLivenessProbe(), "/q/health/live");
        assertProbe(c.getReadinessProbe(), "/q/health/ready");
        assertProbe(c.getStartupProbe(), "/q/health/started");

        Map<String, EnvVar> env = env(c);
        assertThat(env.get("SLUICE_ADVERTISE_URL").getValue()).isEqualTo("http://$(POD_IP):8080");
        assertThat(env.get("POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
        assertThat(env.get("SLUICE_DATA_DIR").getValue()).isEqualTo("/var/lib/sluice");
        assertThat(env).doesNotContainKey("SLUICE_DATABASE_URL");
        assertThat(env.get("QUARKUS_PROFILE").getValue()).isEqualTo("prod");
        assertThat(env.get("SLUICE_FLAGS_STORE").getValue()).isEqualTo("kubernetes");
        assertThat(env.get("SLUICE_FLAGS_CONFIGMAP").getValue()).isEqualTo(FULLNAME + "-flags");
        assertThat(env.get("SLUICE_FLAGS_DIR").getValue()).isEqualTo("/etc/sluice/flags");
        assertThat(env.get("DB_MAX_CONNECTIONS").getValue()).isEqualTo("5");
        assertThat(env.get("FEATURE_ENABLE_CONNECTION_POOL").getValue()).isEqualTo("true");
        assertThat(env.get("FEATURE_ENABLE_DETAILED_LOGGING").getValue()).isEqualTo("false");
        // generated once by a pre-install hook, so an upgrade never rotates the baton key
        assertThat(env.get("SLUICE_BATON_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo(FULLNAME + "-generated");

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("data")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(FULLNAME + "-data"));
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("flags")).singleElement()
                .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo(FULLNAME + "-flags"));
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath())
                .contains("/var/lib/sluice", "/tmp", "/etc/sluice/flags");
        PersistentVolumeClaim pvc = r.one(PersistentVolumeClaim.class, FULLNAME + "-data");
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");

        assertThat(r.all(Ingress.class)).isEmpty();
        assertThat(r.all(HTTPRoute.class)).isEmpty();
        assertThat(r.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(r.one(PodDisruptionBudget.class, FULLNAME).getSpec().getSelector().getMatchLabels())
                .containsEntry("sluice.io/track", "stable");
    }

    @Test
    void shouldRunAsNonRootWithReadOnlyRootAndNoCapabilities() {
        for (Rendered r : List.of(render(Map.of()), render(postgres(3, Map.of("canary.enabled", true,
                "canary.image.tag", "0.2.0"))))) {
            assertThat(r.all(Deployment.class)).isNotEmpty().allSatisfy(d -> {
                PodSpec pod = d.getSpec().getTemplate().getSpec();
                assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
                assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
                SecurityContext sc = container(d).getSecurityContext();
                assertThat(sc.getRunAsNonRoot()).isTrue();
                assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
                assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
                assertThat(sc.getPrivileged()).isFalse();
                assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
                assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
                assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            });
        }
    }

    @Test
    void shouldGrantOnlyGetWatchPatchOnTheFlagsConfigMap() {
        Rendered r = render(Map.of());

        Role role = r.one(Role.class, FULLNAME + "-flags");
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("configmaps");
            assertThat(rule.getResourceNames()).containsExactly(FULLNAME + "-flags");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "watch", "update");
        });
        RoleBinding binding = r.one(RoleBinding.class, FULLNAME + "-flags");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(FULLNAME);
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
        assertThat(r.one(ServiceAccount.class, FULLNAME).getAutomountServiceAccountToken()).isFalse();
        assertThat(r.one(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                .isTrue();
        assertThat(r.all(Role.class)).flatExtracting(Role::getRules).extracting(PolicyRule::getResourceNames)
                .allSatisfy(names -> assertThat(names).isNotEmpty());
    }

    @Test
    void shouldFollowAConfiguredFlagsConfigMapNameAndDropRbacWithoutTheKubernetesStore() {
        Rendered named = render(Map.of("flags.configMap.name", "team-flags"));
        assertThat(named.one(Role.class, FULLNAME + "-flags").getRules().get(0).getResourceNames())
                .containsExactly("team-flags");
        assertThat(env(container(named.one(Deployment.class, FULLNAME))).get("SLUICE_FLAGS_CONFIGMAP").getValue())
                .isEqualTo("team-flags");

        Rendered file = render(Map.of("flags.store", "file"));
        assertThat(file.all(Role.class)).isEmpty();
        assertThat(file.all(RoleBinding.class)).isEmpty();
        Deployment d = file.one(Deployment.class, FULLNAME);
        assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(env(container(d)).get("SLUICE_FLAGS_STORE").getValue()).isEqualTo("file");
    }

    @Test
    void shouldExposeOnlyTheDataPortOnTheDataServiceAndBothPortsOnTheInternalServices() {
        Rendered r = render(Map.of());

        Service data = r.one(Service.class, FULLNAME);
        assertThat(data.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("http");
        assertThat(data.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
        Service headless = r.one(Service.class, FULLNAME + "-headless");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getSelector()).doesNotContainKey("sluice.io/track");
        Service metrics = r.one(Service.class, FULLNAME + "-metrics");
        assertThat(metrics.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(9000);
    }

    // ---------------------------------------------------------------------------------------------
    // routing

    @Test
    void shouldRouteACanaryWeightThroughIngressNginxAnnotationsAsStrings() {
        Rendered r = render(postgres(3, Map.of("ingress.enabled", true, "canary.enabled", true,
                "canary.image.tag", "0.2.0-rc1", "canary.weight", 25, "canary.header", "X-Sluice-Canary")));

        Ingress stable = r.one(Ingress.class, FULLNAME);
        Ingress canary = r.one(Ingress.class, FULLNAME + "-canary");
        assertThat(stable.getMetadata().getAnnotations()).doesNotContainKey("nginx.ingress.kubernetes.io/canary");
        assertThat(canary.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/canary", "true")
                .containsEntry("nginx.ingress.kubernetes.io/canary-weight", "25")
                .containsEntry("nginx.ingress.kubernetes.io/canary-by-header", "X-Sluice-Canary");
        // ingress-nginx ignores non-string annotation values; the raw YAML must hold strings, not numbers
        JsonNode rawAnnotations = r.raw("Ingress", FULLNAME + "-canary").at("/metadata/annotations");
        rawAnnotations.fields().forEachRemaining(e -> assertThat(e.getValue().isTextual())
                .as("annotation %s is a YAML string", e.getKey()).isTrue());

        assertThat(stable.getSpec().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getHost()).isEqualTo("sluice.example.com"));
        assertThat(canary.getSpec().getRules().get(0).getHost()).isEqualTo(stable.getSpec().getRules().get(0).getHost());
        assertThat(paths(stable)).extracting(HTTPIngressPath::getPath).containsExactlyElementsOf(DATA_PATHS);
        assertThat(paths(stable)).allSatisfy(p -> assertThat(p.getBackend().getService().getName()).isEqualTo(FULLNAME));
        assertThat(paths(canary)).allSatisfy(
                p -> assertThat(p.getBackend().getService().getName()).isEqualTo(FULLNAME + "-canary"));

        Deployment canaryDeployment = r.one(Deployment.class, FULLNAME + "-canary");
        assertThat(container(canaryDeployment).getImage()).isEqualTo("sluice:0.2.0-rc1");
        assertThat(container(r.one(Deployment.class, FULLNAME)).getImage()).isEqualTo("sluice:0.1.0");
        assertThat(canaryDeployment.getSpec().getSelector().getMatchLabels()).containsEntry("sluice.io/track", "canary");
        assertThat(r.one(Service.class, FULLNAME + "-canary").getSpec().getSelector())
                .containsEntry("sluice.io/track", "canary");
        assertThat(r.one(Service.class, FULLNAME).getSpec().getSelector()).containsEntry("sluice.io/track", "stable");
        // both tracks verify each other's batons
        assertThat(env(container(canaryDeployment)).get("SLUICE_BATON_KEY").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo(env(container(r.one(Deployment.class, FULLNAME))).get("SLUICE_BATON_KEY").getValueFrom()
                        .getSecretKeyRef().getName());
        assertNothingRoutesAdminOrManagement(r);
    }

    @Test
    void shouldSplitTrafficWithWeightedBackendRefsOnAGatewayApiRoute() {
        Rendered r = render(postgres(2, Map.of("gatewayApi.enabled", true, "gatewayApi.parentRefs[0].name", "public",
                "gatewayApi.parentRefs[0].namespace", "gateways", "canary.enabled", true, "canary.image.tag", "0.2.0",
                "canary.weight", 30)));

        assertThat(r.all(Ingress.class)).isEmpty();
        HTTPRoute route = r.one(HTTPRoute.class, FULLNAME);
        assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("public");
            assertThat(p.getNamespace()).isEqualTo("gateways");
        });
        assertThat(route.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getMatches()).extracting(m -> m.getPath().getValue()).containsExactlyElementsOf(DATA_PATHS);
            assertThat(rule.getMatches()).extracting(m -> m.getPath().getType()).containsOnly("Exact");
            Map<String, Integer> weights = rule.getBackendRefs().stream()
                    .collect(Collectors.toMap(HTTPBackendRef::getName, HTTPBackendRef::getWeight));
            assertThat(weights).containsExactlyInAnyOrderEntriesOf(Map.of(FULLNAME, 70, FULLNAME + "-canary", 30));
            assertThat(rule.getBackendRefs()).extracting(HTTPBackendRef::getPort).containsOnly(8080);
        });
        assertNothingRoutesAdminOrManagement(r);
    }

    @Test
    void shouldSendCanaryHeaderRequestsToTheCanaryOnAGatewayApiRoute() {
        Rendered r = render(postgres(2, Map.of("gatewayApi.enabled", true, "gatewayApi.parentRefs[0].name", "public",
                "canary.enabled", true, "canary.image.tag", "0.2.0", "canary.header", "X-Canary")));

        List<HTTPRouteRule> rules = r.one(HTTPRoute.class, FULLNAME).getSpec().getRules();
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).getMatches()).allSatisfy(m -> assertThat(m.getHeaders()).singleElement()
                .satisfies(h -> assertThat(h.getName() + "=" + h.getValue()).isEqualTo("X-Canary=always")));
        assertThat(rules.get(0).getBackendRefs()).extracting(HTTPBackendRef::getName).containsExactly(FULLNAME + "-canary");
        assertThat(rules.get(1).getMatches()).allSatisfy(m -> assertThat(m.getHeaders()).isNullOrEmpty());
    }

    @Test
    void shouldRouteOnlyToTheStableServiceWithoutACanary() {
        Rendered r = render(postgres(2, Map.of("gatewayApi.enabled", true, "gatewayApi.parentRefs[0].name", "public",
                "ingress.enabled", true)));

        assertThat(r.all(Ingress.class)).extracting(i -> i.getMetadata().getName()).containsExactly(FULLNAME);
        assertThat(r.one(HTTPRoute.class, FULLNAME).getSpec().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getBackendRefs()).extracting(HTTPBackendRef::getName)
                        .containsExactly(FULLNAME));
        assertNothingRoutesAdminOrManagement(r);
    }

    // ---------------------------------------------------------------------------------------------
    // backends

    @Test
    void shouldRunSeveralStatelessReplicasWithPostgresql() {
        Rendered r = render(postgres(4, Map.of("database.user", "app", "database.password", "s3cret",
                "podDisruptionBudget.maxUnavailable", 1)));

        Deployment d = r.one(Deployment.class, FULLNAME);
        assertThat(d.getSpec().getReplicas()).isEqualTo(4);
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(r.all(PersistentVolumeClaim.class)).isEmpty();
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("data"))
                .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());

        Map<String, EnvVar> env = env(container(d));
        assertThat(env.get("SLUICE_DATABASE_URL").getValueFrom().getSecretKeyRef().getName()).isEqualTo(FULLNAME);
        assertThat(env.get("SLUICE_DATABASE_PASSWORD").getValueFrom().getSecretKeyRef().getKey())
                .isEqualTo("SLUICE_DATABASE_PASSWORD");
        Secret secret = r.one(Secret.class, FULLNAME);
        assertThat(secret.getStringData()).containsEntry("SLUICE_DATABASE_URL", PG_URL)
                .containsEntry("SLUICE_DATABASE_USER", "app").containsEntry("SLUICE_DATABASE_PASSWORD", "s3cret");
        assertThat(d.getSpec().getTemplate().toString()).doesNotContain("s3cret");
    }

    @Test
    void shouldUseAnExistingSecretForEveryCredential() {
        Rendered r = render(Map.of("database.type", "postgresql", "existingSecret", "prod-sluice", "replicaCount", 2));

        assertThat(r.all(Secret.class)).isEmpty();
        Map<String, EnvVar> env = env(container(r.one(Deployment.class, FULLNAME)));
        for (String key : List.of("SLUICE_DATABASE_URL", "SLUICE_BATON_KEY", "SLUICE_ADMIN_TOKEN",
                "SLUICE_AUTH_JWT_PUBLIC_KEYS")) {
            assertThat(env.get(key).getValueFrom().getSecretKeyRef().getName()).as(key).isEqualTo("prod-sluice");
        }
    }

    @Test
    void shouldRefuseMoreThanOneReplicaWithSqlite() {
        assertThatThrownBy(() -> render(Map.of("replicaCount", 2)))
                .hasMessageContaining("replicaCount=2 is not allowed with database.type=sqlite")
                .hasMessageContaining("Use database.type=postgresql");
        assertThatThrownBy(() -> render(Map.of("canary.enabled", true, "canary.image.tag", "x")))
                .hasMessageContaining("canary.enabled=true is not allowed with database.type=sqlite");
        assertThatThrownBy(() -> render(Map.of("autoscaling.enabled", true)))
                .hasMessageContaining("autoscaling.enabled=true is not allowed with database.type=sqlite");
    }

    @Test
    void shouldDeriveThePreStopDelayAndTheDrainFromTheTerminationGracePeriod() {
        for (String track : List.of("stable", "canary")) {
            Map<String, Object> values = new LinkedHashMap<>(postgres(2, Map.of("terminationGracePeriodSeconds", 60,
                    "shutdown.preStopSeconds", 7)));
            if (track.equals("canary")) {
                values.put("canary.enabled", true);
                values.put("canary.image.tag", "0.2.0");
            }
            Rendered r = render(values);
            Deployment d = r.one(Deployment.class, track.equals("canary") ? FULLNAME + "-canary" : FULLNAME);
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            Container c = container(d);
            assertThat(pod.getTerminationGracePeriodSeconds()).as(track).isEqualTo(60L);
            assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).as(track).isEqualTo(7L);
            // 60 - 7 (preStop) - 5 (default stop margin): the drain always ends before Kubernetes kills the pod
            assertThat(env(c).get("SLUICE_SHUTDOWN_GRACE").getValue()).as(track).isEqualTo("48s");
        }
        Container defaults = container(render(Map.of()).one(Deployment.class, FULLNAME));
        assertThat(defaults.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5L);
        assertThat(env(defaults).get("SLUICE_SHUTDOWN_GRACE").getValue()).isEqualTo("20s");

        assertThatThrownBy(() -> render(Map.of("terminationGracePeriodSeconds", 10, "shutdown.preStopSeconds", 5)))
                .hasMessageContaining("leaves no time to drain");
    }

    @Test
    void shouldRefuseIncompleteSettings() {
        assertThatThrownBy(() -> render(Map.of("database.type", "postgresql")))
                .hasMessageContaining("needs database.url");
        assertThatThrownBy(() -> render(postgres(2, Map.of("canary.enabled", true))))
                .hasMessageContaining("needs canary.image.tag");
        assertThatThrownBy(() -> render(Map.of("gatewayApi.enabled", true)))
                .hasMessageContaining("needs gatewayApi.parentRefs");
    }

    @Test
    void shouldRejectBadValuesThroughTheSchema() {
        assertSchemaRejects(postgres(2, Map.of("canary.enabled", true, "canary.image.tag", "x", "canary.weight", 150)),
                "weight");
        assertSchemaRejects(postgres(2, Map.of("canary.weight", -1)), "weight");
        assertSchemaRejects(Map.of("replicaCount", -1), "replicaCount");
        assertSchemaRejects(Map.of("database.type", "mysql"), "type");
        assertSchemaRejects(Map.of("flags.store", "etcd"), "store");
        assertSchemaRejects(Map.of("routedPaths[0]", "/admin/v1/flags"), "routedPaths");
        // the operator console (/admin/console/) is reached by port-forward only, never through Ingress/HTTPRoute
        assertSchemaRejects(Map.of("routedPaths[0]", "/admin/console/"), "routedPaths");
        assertSchemaRejects(Map.of("routedPaths[0]", "/admin"), "routedPaths");
        assertSchemaRejects(Map.of("routedPaths[0]", "/q/metrics"), "routedPaths");
        assertSchemaRejects(Map.of("securityContext.readOnlyRootFilesystem", false), "readOnlyRootFilesystem");
        assertSchemaRejects(Map.of("rbac.extraVerbs[0]", "delete"), "extraVerbs");
        assertSchemaRejects(Map.of("replicaCont", 1), "replicaCont");
        // the boundaries themselves are accepted
        for (int weight : new int[] {0, 100}) {
            Rendered r = render(postgres(2, Map.of("ingress.enabled", true, "canary.enabled", true, "canary.image.tag", "x",
                    "canary.weight", weight)));
            assertThat(r.one(Ingress.class, FULLNAME + "-canary").getMetadata().getAnnotations())
                    .containsEntry("nginx.ingress.kubernetes.io/canary-weight", Integer.toString(weight));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // optional resources, hooks, example values

    @Test
    void shouldRenderTheOptionalMonitoringAutoscalingAndNetworkResources() {
        Rendered r = render(postgres(2, Map.of("autoscaling.enabled", true, "autoscaling.maxReplicas", 6,
                "metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true, "networkPolicy.enabled", true,
                "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name", "monitoring")));

        assertThat(r.one(Deployment.class, FULLNAME).getSpec().getReplicas()).as("the HPA owns replicas").isNull();
        HorizontalPodAutoscaler hpa = r.one(HorizontalPodAutoscaler.class, FULLNAME);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(FULLNAME);

        GenericKubernetesResource monitor = r.one(GenericKubernetesResource.class, FULLNAME, "ServiceMonitor");
        JsonNode endpoint = YAML.valueToTree(monitor.getAdditionalProperties()).at("/spec/endpoints/0");
        assertThat(endpoint.path("port").asText()).isEqualTo("management");
        assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");

        assertThat(alertNames(r.raw("PrometheusRule", FULLNAME))).isEqualTo(alertNames(readYaml(
                DEPLOY.resolve("prometheus/sluice-alerts.yaml"))));

        NetworkPolicy policy = r.one(NetworkPolicy.class, FULLNAME);
        assertThat(policy.getSpec().getIngress()).hasSize(2);
        assertThat(policy.getSpec().getIngress().get(1).getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("management"));
        assertThat(policy.getSpec().getIngress().get(1).getFrom()).hasSize(1);
    }

    @Test
    void shouldKeepTheFlagsConfigMapGeneratedSecretAndHelmTestAsHooks() throws IOException {
        Rendered managed = render(Map.of());
        assertThat(managed.all(ConfigMap.class)).as("hooks are not in the release manifest").isEmpty();
        assertThat(managed.all(Pod.class)).isEmpty();

        // helm-java returns only the release manifest; render a copy without hook annotations to see the hooks
        Rendered hooks = render(copyChartWithoutHookAnnotations(), Map.of());
        ConfigMap flags = hooks.one(ConfigMap.class, FULLNAME + "-flags");
        assertThat(flags.getData()).as("empty: the FEATURE_ENABLE_* defaults apply").isNullOrEmpty();
        ConfigMap seeded = render(copyChartWithoutHookAnnotations(), Map.of("flags.configMap.initial.ENABLE_CONNECTION_POOL",
                "enabled=true rollout=25")).one(ConfigMap.class, FULLNAME + "-flags");
        assertThat(seeded.getData()).containsExactly(Map.entry("ENABLE_CONNECTION_POOL", "enabled=true rollout=25"));
        assertThat(hooks.one(Secret.class, FULLNAME + "-generated").getStringData())
                .containsOnlyKeys("SLUICE_BATON_KEY", "SLUICE_ADMIN_TOKEN")
                .allSatisfy((k, v) -> assertThat(v).hasSizeGreaterThanOrEqualTo(32));

        Pod test = hooks.one(Pod.class, FULLNAME + "-test");
        Container c = test.getSpec().getContainers().get(0);
        assertThat(c.getCommand()).containsExactly("java", "-jar", "/deployments/quarkus-run.jar");
        assertThat(c.getArgs()).containsExactly("health-check", "--url", "http://" + FULLNAME + ":8080");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");

        String hookText = Files.readString(CHART.resolve("templates/tests/test-health-check.yaml"));
        assertThat(hookText).contains("helm.sh/hook: test");
        assertThat(Files.readString(CHART.resolve("templates/flags-configmap.yaml"))).contains("helm.sh/hook: pre-install");

        Rendered nativeImage = render(copyChartWithoutHookAnnotations(), Map.of("image.flavor", "native"));
        assertThat(nativeImage.one(Pod.class, FULLNAME + "-test").getSpec().getContainers().get(0).getCommand())
                .containsExactly("/work/application");
    }

    @Test
    void shouldPrintNotesThatMatchTheRelease() {
        String sqlite = notes(Map.of());
        assertThat(sqlite).contains("embedded SQLite on the PersistentVolumeClaim rel-sluice-data (one replica)")
                .contains("Flag store: kubernetes (ConfigMap rel-sluice-flags)")
                .contains("port-forward svc/rel-sluice 8080:8080")
                .contains("get secret rel-sluice-generated -o jsonpath='{.data.SLUICE_ADMIN_TOKEN}'")
                .contains("helm test rel --namespace apps")
                .doesNotContain("Canary:");

        String canary = notes(postgres(3, Map.of("ingress.enabled", true, "canary.enabled", true, "canary.image.tag", "0.2.0",
                "canary.weight", 15, "existingSecret", "mine")));
        assertThat(canary).contains("PostgreSQL, 3 replica(s)").contains("http://sluice.example.com")
                .contains("Canary: image tag 0.2.0, 1 replica(s), 15% of requests")
                .contains("get secret mine -o jsonpath");
    }

    private static String notes(Map<String, Object> values) {
        InstallCommand install = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE)
                .withDryRunOption(DryRun.CLIENT).clientOnly();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            install = install.set(e.getKey(), e.getValue());
        }
        String output = install.call().getOutput();
        assertThat(output).contains("NOTES:");
        return output.substring(output.indexOf("NOTES:"));
    }

    @Test
    void shouldRenderTheExampleValuesOfEveryEnvironment() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(DEPLOY.resolve("values"))) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("values-dev.yaml", "values-preview.yaml", "values-prod.yaml");
        for (Path file : files) {
            Rendered r = render(CHART, Map.of(), file);
            Deployment d = r.one(Deployment.class, FULLNAME);
            String profile = file.getFileName().toString().replace("values-", "").replace(".yaml", "");
            assertThat(env(container(d)).get("QUARKUS_PROFILE").getValue()).as(file.toString()).isEqualTo(profile);
            assertNothingRoutesAdminOrManagement(r);
        }
    }

    @Test
    void shouldChartOnlyMeterNamesTheApplicationExports() throws IOException {
        Set<String> known = Set.of("sluice_hrana_requests_total", "sluice_statements_total",
                "sluice_statement_duration_seconds_bucket", "sluice_statement_duration_seconds_count",
                "sluice_statement_duration_seconds_sum", "sluice_streams_open", "sluice_streams_expired_total",
                "sluice_streams_forwarded_total", "sluice_pool_connections", "sluice_pool_max",
                "sluice_pool_acquire_timeouts_total", "sluice_pool_leaks_total", "sluice_pool_evicted_total",
                "sluice_backend_connectivity", "sluice_breaker_state", "sluice_breaker_transitions_total",
                "sluice_breaker_rejected_total", "sluice_flags_store_stale", "sluice_flags_store_invalid_keys", "sluice_flags_killswitch",
                "sluice_work_total", "sluice_rollout_migration_percent", "sluice_rollout_migration_running");
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/sluice-dashboard.json").toFile());
        List<String> exprs = dashboard.findValues("expr").stream().map(JsonNode::asText).toList();
        assertThat(exprs).hasSizeGreaterThan(8);
        Set<String> used = new TreeSet<>();
        exprs.forEach(e -> used.addAll(meterNames(e)));
        String alerts = Files.readString(DEPLOY.resolve("prometheus/sluice-alerts.yaml"));
        used.addAll(meterNames(alerts));
        assertThat(used).isSubsetOf(known).contains("sluice_breaker_state", "sluice_pool_connections",
                "sluice_statement_duration_seconds_bucket", "sluice_work_total");
    }

    @Test
    void shouldParseStrictlySoATemplateMistakeCannotPass() {
        String service = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: s
                spec:
                  ports:
                    - name: http
                      port: %s
                  %s
                """;
        assertThat(Rendered.parse(service.formatted("8080", "type: ClusterIP")).all(Service.class)).hasSize(1);
        assertThatThrownBy(() -> Rendered.parse(service.formatted("\"8080\"", "type: ClusterIP")))
                .as("a quoted number").hasMessageContaining("8080");
        assertThatThrownBy(() -> Rendered.parse(service.formatted("8080", "tpye: ClusterIP")))
                .as("an unknown field").hasMessageContaining("tpye");
        String env = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: c
                      env:
                        - name: DB_MAX_CONNECTIONS
                          value: %s
                """;
        assertThat(Rendered.parse(env.formatted("\"5\"")).all(Pod.class)).hasSize(1);
        assertThatThrownBy(() -> Rendered.parse(env.formatted("5"))).as("a number where a string belongs")
                .hasMessageContaining("value");
        assertThatThrownBy(() -> Rendered.parse(env.formatted("true"))).as("a boolean where a string belongs")
                .hasMessageContaining("value");
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    private static Set<String> meterNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\bsluice_[a-z_]+").matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Set<String> alertNames(JsonNode rules) {
        return rules.findValues("alert").stream().map(JsonNode::asText).collect(Collectors.toCollection(TreeSet::new));
    }

    private static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> postgres(int replicas, Map<String, Object> more) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("database.type", "postgresql");
        values.put("database.url", PG_URL);
        values.put("replicaCount", replicas);
        values.putAll(more);
        return values;
    }

    private void assertSchemaRejects(Map<String, Object> values, String field) {
        assertThatThrownBy(() -> render(values)).as("values %s", values)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(field);
    }

    private static void assertNothingRoutesAdminOrManagement(Rendered r) {
        for (Ingress ingress : r.all(Ingress.class)) {
            assertThat(paths(ingress)).allSatisfy(p -> {
                assertThat(p.getPath()).doesNotStartWith("/admin").doesNotStartWith("/q").isIn(DATA_PATHS);
                assertThat(p.getPathType()).isEqualTo("Exact");
                assertThat(p.getBackend().getService().getPort().getName()).isEqualTo("http");
                assertThat(p.getBackend().getService().getPort().getNumber()).isNull();
            });
        }
        for (HTTPRoute route : r.all(HTTPRoute.class)) {
            for (HTTPRouteRule rule : route.getSpec().getRules()) {
                assertThat(rule.getMatches()).isNotEmpty().extracting(HTTPRouteMatch::getPath).allSatisfy(p -> {
                    assertThat(p.getType()).isEqualTo("Exact");
                    assertThat(p.getValue()).doesNotStartWith("/admin").doesNotStartWith("/q").isIn(DATA_PATHS);
                });
                assertThat(rule.getBackendRefs()).extracting(HTTPBackendRef::getPort).doesNotContain(9000);
                assertThat(rule.getBackendRefs()).extracting(HTTPBackendRef::getName)
                        .allSatisfy(n -> assertThat(n).doesNotEndWith("-metrics").doesNotEndWith("-headless"));
            }
        }
    }

    private static List<HTTPIngressPath> paths(Ingress ingress) {
        return ingress.getSpec().getRules().stream().flatMap(rule -> rule.getHttp().getPaths().stream()).toList();
    }

    private static void assertProbe(Probe probe, String path) {
        assertThat(probe).as("probe %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
    }

    private static Container container(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static ContainerPort port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port " + name));
    }

    private static Map<String, EnvVar> env(Container c) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        for (EnvVar var : c.getEnv()) {
            assertThat(env.put(var.getName(), var)).as("duplicate env %s", var.getName()).isNull();
        }
        return env;
    }

    private Path copyChartWithoutHookAnnotations() throws IOException {
        Path copy = tmp.resolve("sluice-" + System.nanoTime());
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    String text = Files.readString(source);
                    Files.writeString(target, text.replaceAll("(?m)^\\s*helm\\.sh/hook[-a-z]*:.*\\n", ""));
                }
            }
        }
        return copy;
    }

    private Rendered render(Map<String, Object> values) {
        return render(CHART, values);
    }

    private Rendered render(Path chart, Map<String, Object> values) {
        return render(chart, values, null);
    }

    private Rendered render(Path chart, Map<String, Object> values, Path valuesFile) {
        TemplateCommand command = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            command = command.set(e.getKey(), e.getValue());
        }
        return Rendered.parse(command.call());
    }

    /** Every document of one `helm template`, parsed strictly. */
    record Rendered(String text, List<JsonNode> raw, List<KubernetesResource> objects) {

        static Rendered parse(String text) {
            List<JsonNode> raw = new ArrayList<>();
            List<KubernetesResource> objects = new ArrayList<>();
            try {
                for (JsonNode node : YAML.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll()) {
                    if (node == null || node.isNull() || node.isEmpty()) {
                        continue;
                    }
                    raw.add(node);
                    KubernetesResource object = STRICT.treeToValue(node, KubernetesResource.class);
                    assertThat(object).as("document %s", node.path("kind")).isInstanceOf(HasMetadata.class);
                    if (!(object instanceof GenericKubernetesResource)) {
                        assertNoUnknownFields(object, node.path("kind").asText(), new IdentityHashMap<>());
                    }
                    assertThat(((HasMetadata) object).getMetadata().getName()).isNotBlank();
                    objects.add(object);
                }
            } catch (IOException e) {
                throw new AssertionError("rendered chart is not valid Kubernetes YAML: " + e.getMessage() + "\n" + text, e);
            }
            assertThat(objects).as("rendered documents").isNotEmpty();
            return new Rendered(text, raw, objects);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            List<T> matching = all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).toList();
            assertThat(matching).as("%s %s", type.getSimpleName(), name).hasSize(1);
            return matching.get(0);
        }

        GenericKubernetesResource one(Class<GenericKubernetesResource> type, String name, String kind) {
            return all(type).stream().filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
        }

        JsonNode raw(String kind, String name) {
            return raw.stream().filter(n -> kind.equals(n.path("kind").asText())
                    && name.equals(n.at("/metadata/name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
        }
    }

    /**
     * The fabric8 model keeps unknown fields in {@code additionalProperties} instead of failing; walk the
     * object graph and fail on any such field, so a typo in a template cannot pass as a valid object.
     */
    static void assertNoUnknownFields(Object object, String path, Map<Object, Boolean> seen) {
        if (object == null || seen.put(object, Boolean.TRUE) != null) {
            return;
        }
        if (object instanceof Collection<?> collection) {
            int i = 0;
            for (Object item : collection) {
                assertNoUnknownFields(item, path + "[" + i++ + "]", seen);
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            map.forEach((k, v) -> assertNoUnknownFields(v, path + "." + k, seen));
            return;
        }
        if (!object.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !(getter.getName().startsWith("get") || getter.getName().startsWith("is"))
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(object);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as("unknown fields at %s", path).isNullOrEmpty();
            } else if (!getter.getName().equals("getClass")) {
                assertNoUnknownFields(value, path + "." + getter.getName(), seen);
            }
        }
    }
}
