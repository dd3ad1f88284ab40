package dev.minimalimage.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.regex.RegularExpressionFactory;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;

/**
 * Admission of MinimalImage documents without an API server: the generated CRD's openAPIV3Schema is applied the way
 * the apiextensions-apiserver applies it on create.
 * <ul>
 * <li>structural schema (types, enum, pattern, min/max, length, required, maxItems/maxProperties) with
 * com.networknt:json-schema-validator (draft-04 keywords; the {@code x-kubernetes-*} keys are stripped; patterns run
 * on RE2 (re2j), the regex dialect of the API server);</li>
 * <li>unknown fields are reported like {@code kubectl apply} (strict field validation, the default since 1.27);</li>
 * <li>every {@code x-kubernetes-validations} rule is compiled with CEL-Java (dev.cel) against a CEL type built from
 * the schema node it is attached to (objects become struct types, so a misspelled field fails to compile as it
 * does in Kubernetes) and evaluated with {@code self} bound to the corresponding node of the document.</li>
 * </ul>
 * Not modelled: CEL cost estimation, transition rules (oldSelf; skipped: create semantics), defaulting/pruning, and
 * the Kubernetes-only CEL libraries (quantity, url, ip, cidr, authz, format, regex find): a rule using one of them fails
 * to compile here, so this test fails loudly until the function is added to {@link Admission#celFor}.
 */
public class CrdAdmissionTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static JsonNode openApiSchema;
    static Admission admission;

    @BeforeAll
    static void loadGeneratedCrd() throws IOException {
        Path crdFile = CrdDriftTest.GENERATED.resolve(CrdDriftTest.CRD_FILE);
        if (!Files.isRegularFile(crdFile)) { // e.g. run from an IDE without Maven's process-classes
            crdFile = CrdDriftTest.CHECKED_IN.resolve(CrdDriftTest.CRD_FILE);
        }
        JsonNode crd = YAML.readTree(crdFile.toFile());
        JsonNode version = crd.at("/spec/versions/0");
        assertEquals("v1alpha1", version.path("name").asText());
        openApiSchema = version.at("/schema/openAPIV3Schema");
        assertTrue(openApiSchema.isObject(), "no openAPIV3Schema in " + crdFile);
        admission = new Admission(openApiSchema);
    }

    // ---------------------------------------------------------------------------------------------- sample documents

    static final String C_INLINE = """
            apiVersion: build.minimalimage.dev/v1alpha1
            kind: MinimalImage
            metadata:
              name: hello-c
              namespace: demo
            spec:
              source:
                inline:
                  files:
                    main.c: |
                      #include <stdio.h>
                      int main(void) { puts("hello from scratch"); return 0; }
              language:
                name: c
              image:
                name: registry.example.com:5000/demo/hello-c:1.0
            """;

    static final String GO_GIT = """
            apiVersion: build.minimalimage.dev/v1alpha1
            kind: MinimalImage
            metadata:
              name: hello-go
            spec:
              source:
                git:
                  url: https://github.com/acme/hello-go.git
                  revision: v1.2.0
                  contextDir: services/hello
                  credentialsSecret: git-credentials
              language:
                name: go
                goPackage: ./cmd/hello
                flags: ["-tags=netgo"]
                binaryName: hello
                env:
                  - name: GOFLAGS
                    value: -mod=vendor
              image:
                name: ghcr.io/acme/hello-go:1.2.0
                pushSecret: ghcr-push
                path: /app/hello
                args: ["--listen", ":8080"]
                user: "65532:65532"
                ports:
                  - port: 8080
                  - port: 9090
                    protocol: udp
                labels:
                  org.opencontainers.image.source: https://github.com/acme/hello-go
                extras:
                  caCertificates: true
                  tmp: true
              verify:
                linkPolicy: RequireStatic
              build:
                timeout: 1h30m
                keepFinishedPods: 3
                resources:
                  requests:
                    cpu: 500m
                    memory: 512Mi
                  limits:
                    memory: 1Gi
                nodeSelector:
                  kubernetes.io/arch: amd64
                tolerations:
                  - key: builders
                    operator: Exists
                    effect: NoSchedule
            """;

    // --------------------------------------------------------------------------------------------------- accepted

    static Stream<Arguments> accepted() {
        return Stream.of(
                ok("minimal C inline resource", C_INLINE, d -> { }),
                ok("git Go resource (every optional field)", GO_GIT, d -> { }),
                ok("C with glibc", C_INLINE, d -> set(d, "spec.language.libc", "glibc")),
                ok("custom with image and script", C_INLINE, d -> set(d, "spec.language",
                        "{name: custom, custom: {image: 'docker.io/library/zig:0.13', script: 'zig build-exe -o $OUT main.c'}}")),
                ok("ssh git url", GO_GIT, d -> set(d, "spec.source.git.url", "ssh://git@github.com/acme/hello-go.git")),
                ok("scp-like git url", GO_GIT, d -> set(d, "spec.source.git.url", "git@github.com:acme/hello-go.git")),
                ok("timeout at the lower bound 1m", C_INLINE, d -> set(d, "spec.build.timeout", "1m")),
                ok("timeout at the upper bound 6h", C_INLINE, d -> set(d, "spec.build.timeout", "6h")),
                ok("timeout 90s", C_INLINE, d -> set(d, "spec.build.timeout", "90s")),
                ok("startTimeout 1m", C_INLINE, d -> set(d, "spec.build.startTimeout", "1m")),
                ok("keepFinishedPods 0", C_INLINE, d -> set(d, "spec.build.keepFinishedPods", "0")),
                ok("keepFinishedPods 20", C_INLINE, d -> set(d, "spec.build.keepFinishedPods", "20")),
                ok("port 65535", C_INLINE, d -> set(d, "spec.image.ports", "[{port: 65535, protocol: sctp}]")),
                ok("image without registry or tag", C_INLINE, d -> set(d, "spec.image.name", "hello")),
                ok("image on an IPv6 registry", C_INLINE, d -> set(d, "spec.image.name", "'[::1]:5000/hello:dev'")),
                ok("c with a build system, target, executable and literal env", C_INLINE, d -> set(d, "spec.language",
                        "{name: c, buildSystem: cmake, buildTarget: all, executable: tools/calc,"
                                + " env: [{name: CFLAGS, value: '-DX=1'}, {name: GOFLAGS}]}")),
                ok("image env with a literal value", C_INLINE, d -> set(d, "spec.image.env", "[{name: MODE, value: prod}]")),
                ok("rust bin target as executable", C_INLINE, d -> set(d, "spec.language", "{name: rust, executable: my-bin}")),
                ok("nested inline paths", C_INLINE, d -> set(d, "spec.source.inline.files",
                        "{main.c: 'int main(){return 0;}', src/util.h: '#pragma once'}")),
                ok("pullTimeout 5m", C_INLINE, d -> set(d, "spec.build.pullTimeout", "5m")),
                ok("pullTimeout at the bounds 1m", C_INLINE, d -> set(d, "spec.build.pullTimeout", "1m")),
                ok("pullTimeout at the bounds 1h", C_INLINE, d -> set(d, "spec.build.pullTimeout", "1h")),
                ok("imagePullSecrets", C_INLINE, d -> set(d, "spec.build.imagePullSecrets",
                        "[{name: team-mirror}, {name: docker-hub}]")),
                ok("caBundle without a key (ca.crt)", C_INLINE, d -> set(d, "spec.build.caBundle", "{configMap: corp-ca}")),
                ok("caBundle with a key", C_INLINE, d -> set(d, "spec.build.caBundle",
                        "{configMap: corp-ca.v2, key: Corp_Root-2026.pem}")),
                ok("rebuild", C_INLINE, d -> set(d, "spec.rebuild", "'2026-11-30: base image moved'")),
                ok("rebuild of 253 characters", C_INLINE, d -> set(d, "spec.rebuild", "r".repeat(253))),
                ok("debug twin tag", C_INLINE, d -> set(d, "spec.image.debugTag", "1.0-debug")),
                ok("pollInterval 1m", GO_GIT, d -> set(d, "spec.source.git.pollInterval", "1m")),
                ok("pollInterval 1h30m", GO_GIT, d -> set(d, "spec.source.git.pollInterval", "1h30m")),
                ok("ssh url with a user and no password", GO_GIT, d -> set(d, "spec.source.git.url", "ssh://git@host/x")),
                ok("scp-like url git@host:x/y", GO_GIT, d -> set(d, "spec.source.git.url", "git@host:x/y")),
                ok("status written by the operator", C_INLINE, d -> set(d, "status",
                        "{phase: Succeeded, observedGeneration: 1, compressedSize: 4660, shortDigest: 0123456789ab,"
                                + " conditions: [{type: Ready, status: 'True', reason: Pushed, message: ok,"
                                + " lastTransitionTime: '2025-01-01T00:00:00Z'}],"
                                + " link: {verdict: Static, libc: musl, needed: []}}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepts(String name, ObjectNode document) {
        assertThat(admission.admit(document)).as("errors for %s", name).isEmpty();
    }

    // --------------------------------------------------------------------------------------------------- rejected

    static final String EXACTLY_ONE_SOURCE = "exactly one of source.git or source.inline must be set";
    static final String CONTEXT_DIR = "contextDir must be relative and must not contain '..'";
    static final String TIMEOUT = "timeout must be a duration between 1m and 6h, e.g. 15m or 1h30m";
    static final String PULL_TIMEOUT = "pullTimeout must be a duration between 1m and 1h, e.g. 5m";
    static final String INLINE_PATHS = "inline file paths must be relative and must not contain '..'";

    static Stream<Arguments> rejected() {
        return Stream.of(
                no("both git and inline", GO_GIT, d -> set(d, "spec.source.inline", "{files: {main.go: 'package main'}}"),
                        "spec.source", EXACTLY_ONE_SOURCE),
                no("neither git nor inline", C_INLINE, d -> set(d, "spec.source", "{}"),
                        "spec.source", EXACTLY_ONE_SOURCE),
                no("language not in the enum", C_INLINE, d -> set(d, "spec.language.name", "java"),
                        "spec.language.name", "Unsupported value: \"java\": supported values: \"c\", \"cpp\", \"custom\", \"go\", \"rust\""),
                no("custom without custom image/script", C_INLINE, d -> set(d, "spec.language.name", "custom"),
                        "spec.language", "language custom needs language.custom (image and script)"),
                no("custom with an image but no script", C_INLINE, d -> set(d, "spec.language",
                        "{name: custom, custom: {image: 'docker.io/library/zig:0.13'}}"),
                        "spec.language.custom.script", "Required value"),
                no("libc on language go", GO_GIT, d -> set(d, "spec.language.libc", "musl"),
                        "spec.language", "libc applies to language c only"),
                no("goPackage on language c", C_INLINE, d -> set(d, "spec.language.goPackage", "./cmd/x"),
                        "spec.language", "goPackage applies to language go only"),
                no("image name with an upper-case repository", C_INLINE, d -> set(d, "spec.image.name", "ghcr.io/Acme/hello:1.0"),
                        "spec.image.name", "in body should match"),
                no("image name with a space", C_INLINE, d -> set(d, "spec.image.name", "'ghcr.io/acme/hello world:1.0'"),
                        "spec.image.name", "in body should match"),
                no("image name with a scheme", C_INLINE, d -> set(d, "spec.image.name", "https://ghcr.io/acme/hello:1.0"),
                        "spec.image.name", "in body should match"),
                no("image name missing", C_INLINE, d -> remove(d, "spec.image.name"),
                        "spec.image.name", "Required value"),
                no("absolute contextDir", GO_GIT, d -> set(d, "spec.source.git.contextDir", "/abs"),
                        "spec.source.git.contextDir", CONTEXT_DIR),
                no("contextDir with ..", GO_GIT, d -> set(d, "spec.source.git.contextDir", "a/../b"),
                        "spec.source.git.contextDir", CONTEXT_DIR),
                no("git url http://", GO_GIT, d -> set(d, "spec.source.git.url", "http://x"),
                        "spec.source.git.url", "in body should match"),
                no("https git url with a token in it", GO_GIT, d -> set(d, "spec.source.git.url",
                        "https://oauth2:glpat-secret@gitlab.example/x.git"), "spec.source.git.url", "in body should match"),
                no("ssh git url with a password in it", GO_GIT, d -> set(d, "spec.source.git.url",
                        "ssh://git:secret@host/x.git"), "spec.source.git.url", "in body should match"),
                no("https git url with a token in its query", GO_GIT, d -> set(d, "spec.source.git.url",
                        "https://host/x.git?private_token=secret"), "spec.source.git.url", "in body should match"),
                no("git url file://", GO_GIT, d -> set(d, "spec.source.git.url", "file:///x"),
                        "spec.source.git.url", "in body should match"),
                no("timeout 30s (below 1m)", C_INLINE, d -> set(d, "spec.build.timeout", "30s"),
                        "spec.build.timeout", TIMEOUT),
                no("timeout 7h (above 6h)", C_INLINE, d -> set(d, "spec.build.timeout", "7h"),
                        "spec.build.timeout", TIMEOUT),
                no("timeout abc", C_INLINE, d -> set(d, "spec.build.timeout", "abc"),
                        "spec.build.timeout", "in body should match '^([0-9]+h)?([0-9]+m)?([0-9]+s)?$'"),
                no("startTimeout 2h (above 1h)", C_INLINE, d -> set(d, "spec.build.startTimeout", "2h"),
                        "spec.build.startTimeout", "startTimeout must be a duration between 1m and 1h"),
                no("empty timeout", C_INLINE, d -> set(d, "spec.build.timeout", "''"),
                        "spec.build.timeout", TIMEOUT),
                no("keepFinishedPods -1", C_INLINE, d -> set(d, "spec.build.keepFinishedPods", "-1"),
                        "spec.build.keepFinishedPods", "should be greater than or equal to 0"),
                no("keepFinishedPods 21", C_INLINE, d -> set(d, "spec.build.keepFinishedPods", "21"),
                        "spec.build.keepFinishedPods", "should be less than or equal to 20"),
                no("port 0", GO_GIT, d -> set(d, "spec.image.ports", "[{port: 0}]"),
                        "spec.image.ports[0].port", "should be greater than or equal to 1"),
                no("port 70000", GO_GIT, d -> set(d, "spec.image.ports", "[{port: 70000}]"),
                        "spec.image.ports[0].port", "should be less than or equal to 65535"),
                no("port as a string", GO_GIT, d -> set(d, "spec.image.ports", "[{port: http}]"),
                        "spec.image.ports[0].port", "must be of type integer"),
                no("inline file path /etc/x", C_INLINE, d -> set(d, "spec.source.inline.files", "{/etc/x: 'x'}"),
                        "spec.source.inline", INLINE_PATHS),
                no("inline file path ../x", C_INLINE, d -> set(d, "spec.source.inline.files", "{../x: 'x'}"),
                        "spec.source.inline", INLINE_PATHS),
                no("no inline files", C_INLINE, d -> set(d, "spec.source.inline.files", "{}"),
                        "spec.source.inline.files", "should have at least 1 properties"),
                no("too many args", C_INLINE, d -> set(d, "spec.image.args",
                        Stream.generate(() -> "a").limit(65).collect(Collectors.joining(",", "[", "]"))),
                        "spec.image.args", "Too many: 65: must have at most 64 items"),
                no("too many labels", C_INLINE, d -> set(d, "spec.image.labels",
                        Stream.iterate(0, i -> i + 1).limit(65).map(i -> "l" + i + ": v").collect(Collectors.joining(",", "{", "}"))),
                        "spec.image.labels", "Too many: 65: must have at most 64 items"),
                no("image path not normalized", GO_GIT, d -> set(d, "spec.image.path", "/app//hello"),
                        "spec.image.path", "path must be normalized"),
                no("linkPolicy not in the enum", C_INLINE, d -> set(d, "spec.verify.linkPolicy", "Whatever"),
                        "spec.verify.linkPolicy", "Unsupported value: \"Whatever\""),
                no("language env valueFrom a Secret", C_INLINE, d -> set(d, "spec.language.env",
                        "[{name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}]"),
                        "spec.language.env[0].valueFrom", "must have at most 0"),
                no("image env valueFrom a Secret", C_INLINE, d -> set(d, "spec.image.env",
                        "[{name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}]"),
                        "spec.image.env[0].valueFrom", "must have at most 0"),
                no("language env setting a variable the builder owns", C_INLINE, d -> set(d, "spec.language.env",
                        "[{name: OUT, value: /etc/x}]"),
                        "spec.language.env", "must not set a variable the builder owns"),
                no("env name with a dash", C_INLINE, d -> set(d, "spec.language.env", "[{name: A-B, value: x}]"),
                        "spec.language.env[0].name", "in body should match"),
                no("buildSystem on language go", GO_GIT, d -> set(d, "spec.language.buildSystem", "make"),
                        "spec.language", "buildSystem applies to languages c and cpp only"),
                no("buildSystem not in the enum", C_INLINE, d -> set(d, "spec.language.buildSystem", "bazel"),
                        "spec.language.buildSystem", "Unsupported value: \"bazel\""),
                no("buildTarget that is an option", C_INLINE, d -> set(d, "spec.language.buildTarget", "-j64"),
                        "spec.language.buildTarget", "buildTarget must not start with '-'"),
                no("executable escaping the build directory", C_INLINE, d -> set(d, "spec.language.executable", "a/../../x"),
                        "spec.language.executable", "executable must not contain '..'"),
                no("absolute executable", C_INLINE, d -> set(d, "spec.language.executable", "/bin/sh"),
                        "spec.language.executable", "in body should match"),
                no("pullTimeout 30s (below 1m)", C_INLINE, d -> set(d, "spec.build.pullTimeout", "30s"),
                        "spec.build.pullTimeout", PULL_TIMEOUT),
                no("pullTimeout 2h (above 1h)", C_INLINE, d -> set(d, "spec.build.pullTimeout", "2h"),
                        "spec.build.pullTimeout", PULL_TIMEOUT),
                no("pullTimeout 5 minutes", C_INLINE, d -> set(d, "spec.build.pullTimeout", "'5 minutes'"),
                        "spec.build.pullTimeout", "in body should match"),
                no("imagePullSecrets as names, not references", C_INLINE, d -> set(d, "spec.build.imagePullSecrets",
                        "[team-mirror]"), "spec.build.imagePullSecrets[0]", "must be of type object"),
                no("imagePullSecrets entry with a misspelled field", C_INLINE, d -> set(d,
                        "spec.build.imagePullSecrets", "[{nmae: team-mirror}]"),
                        "spec.build.imagePullSecrets[0]", "unknown field"),
                no("17 imagePullSecrets", C_INLINE, d -> set(d, "spec.build.imagePullSecrets",
                        Stream.iterate(0, i -> i + 1).limit(17).map(i -> "{name: s" + i + "}")
                                .collect(Collectors.joining(",", "[", "]"))),
                        "spec.build.imagePullSecrets", "Too many: 17: must have at most 16 items"),
                no("caBundle without a configMap", C_INLINE, d -> set(d, "spec.build.caBundle", "{key: ca.pem}"),
                        "spec.build.caBundle.configMap", "Required value"),
                no("caBundle configMap not a DNS name", C_INLINE, d -> set(d, "spec.build.caBundle",
                        "{configMap: Corp_CA}"), "spec.build.caBundle.configMap", "in body should match"),
                no("caBundle configMap empty", C_INLINE, d -> set(d, "spec.build.caBundle", "{configMap: ''}"),
                        "spec.build.caBundle.configMap", "should be at least 1 chars long"),
                no("caBundle key with a slash", C_INLINE, d -> set(d, "spec.build.caBundle",
                        "{configMap: corp-ca, key: ../ca.crt}"), "spec.build.caBundle.key", "in body should match"),
                no("debug tag that is no tag", C_INLINE, d -> set(d, "spec.image.debugTag", "'latest:debug'"),
                        "spec.image.debugTag", "should match"),
                no("rebuild of 254 characters", C_INLINE, d -> set(d, "spec.rebuild", "r".repeat(254)),
                        "spec.rebuild", "Too long: may not be longer than 253"),
                no("rebuild as a number", C_INLINE, d -> set(d, "spec.rebuild", "5"),
                        "spec.rebuild", "must be of type string"),
                no("pollInterval 30s (below 1m)", GO_GIT, d -> set(d, "spec.source.git.pollInterval", "30s"),
                        "spec.source.git.pollInterval", "pollInterval must be a duration of at least 1m"),
                no("https git url with user and token", GO_GIT, d -> set(d, "spec.source.git.url",
                        "https://user:token@github.com/x/y.git"), "spec.source.git.url",
                        "spec.source.git.url in body should match"),
                no("misspelled field (kubectl strict field validation)", C_INLINE, d -> set(d, "spec.image.nmae", "x"),
                        "spec.image.nmae", "unknown field"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String name, ObjectNode document, String field, String message) {
        List<String> errors = admission.admit(document);
        // only the changed field (or what is inside it) is wrong: the base documents are valid (see accepts)
        assertThat(errors).as("errors for %s", name)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e).matches(Pattern.quote(field) + "(: |\\[|\\.).*"))
                .anySatisfy(e -> assertThat(e).contains(message));
    }

    // ---------------------------------------------------------------------------------------------- schema hygiene

    /** Fields whose Java type is a Fabric8 core type: the generator copies their schema without descriptions. */
    static final Map<String, String> EMBEDDED_CORE_TYPES = Map.of(
            "spec.build.resources", "ResourceRequirements",
            "spec.build.tolerations", "Toleration",
            "status.conditions", "Condition");

    @Test
    void everyFieldHasADescription() {
        List<String> missing = new ArrayList<>();
        Map<String, List<String>> undescribedInEmbedded = new TreeMap<>();
        walkFields(openApiSchema, "", (path, field) -> {
            String embeddedIn = EMBEDDED_CORE_TYPES.keySet().stream()
                    .filter(p -> path.startsWith(p + ".") || path.startsWith(p + "[]."))
                    .findFirst().orElse(null);
            if (!field.path("description").asText().isBlank()) {
                return;
            }
            if (embeddedIn != null) {
                undescribedInEmbedded.computeIfAbsent(embeddedIn, k -> new ArrayList<>()).add(path);
            } else {
                missing.add(path);
            }
        });
        for (String embedded : EMBEDDED_CORE_TYPES.keySet()) {
            assertTrue(fieldSchema(embedded).isPresent(), "allow-listed embedded type " + embedded + " is not in the"
                    + " schema any more: update EMBEDDED_CORE_TYPES");
        }
        assertThat(missing).as("fields without a description (kubectl explain shows nothing for them); add"
                + " @JsonPropertyDescription").isEmpty();
        undescribedInEmbedded.forEach((path, fields) -> System.out.printf(
                "note: %s (%s) is embedded without descriptions for %d nested fields%n",
                path, EMBEDDED_CORE_TYPES.get(path), fields.size()));
    }

    @Test
    void everyRuleCompilesToABoolAndEveryPatternIsRe2() {
        assertThat(admission.ruleCount()).as("x-kubernetes-validations rules found").isGreaterThanOrEqualTo(7);
        assertThat(admission.compileErrors()).isEmpty();
        List<String> badPatterns = new ArrayList<>();
        walkSchemas(openApiSchema, "", (path, node) -> {
            if (node.has("pattern")) {
                try {
                    com.google.re2j.Pattern.compile(node.get("pattern").asText());
                } catch (RuntimeException e) {
                    badPatterns.add(path + ": " + e.getMessage());
                }
            }
        });
        assertThat(badPatterns).as("patterns Go's RE2 would refuse").isEmpty();
    }

    /** The harness itself: rules Kubernetes refuses at CRD creation must not compile here either. */
    @Test
    void harnessRefusesRulesTheApiServerWouldRefuse() {
        ObjectNode broken = openApiSchema.deepCopy();
        ObjectNode source = (ObjectNode) broken.at("/properties/spec/properties/source");
        source.putArray("x-kubernetes-validations")
                .add(YAML.createObjectNode().put("rule", "has(self.gti)"))           // undefined field
                .add(YAML.createObjectNode().put("rule", "self.git"))                // not a bool
                .add(YAML.createObjectNode().put("rule", "self.git.url.quantity()")); // unknown function
        assertThat(new Admission(broken).compileErrors()).hasSize(3)
                .anySatisfy(e -> assertThat(e).contains("undefined field 'gti'"))
                .anySatisfy(e -> assertThat(e).contains("Kubernetes needs bool"));
    }

    @Test
    void printerColumnsAndNames() throws IOException {
        Path crdFile = CrdDriftTest.GENERATED.resolve(CrdDriftTest.CRD_FILE);
        JsonNode crd = YAML.readTree((Files.isRegularFile(crdFile) ? crdFile
                : CrdDriftTest.CHECKED_IN.resolve(CrdDriftTest.CRD_FILE)).toFile());
        assertEquals("minimalimages.build.minimalimage.dev", crd.at("/metadata/name").asText());
        assertEquals("Namespaced", crd.at("/spec/scope").asText());
        assertEquals("mimg", crd.at("/spec/names/shortNames/0").asText());
        assertTrue(crd.at("/spec/versions/0/subresources/status").isObject(), "status subresource");
        List<String> columns = new ArrayList<>();
        crd.at("/spec/versions/0/additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).containsExactlyInAnyOrder("Ready", "Reason", "Static", "Size", "Digest", "Age");
    }

    // ------------------------------------------------------------------------------------------------ doc helpers

    static Arguments ok(String name, String yaml, Consumer<ObjectNode> change) {
        return Arguments.of(name, mutate(yaml, change));
    }

    static Arguments no(String name, String yaml, Consumer<ObjectNode> change, String field, String message) {
        return Arguments.of(name, mutate(yaml, change), field, message);
    }

    static ObjectNode mutate(String yaml, Consumer<ObjectNode> change) {
        try {
            ObjectNode doc = (ObjectNode) YAML.readTree(yaml);
            change.accept(doc);
            return doc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a dotted path (creating objects on the way) to a value given as a YAML snippet. */
    static void set(ObjectNode doc, String dotted, String yamlValue) {
        String[] parts = dotted.split("\\.");
        ObjectNode parent = doc;
        for (int i = 0; i < parts.length - 1; i++) {
            parent = parent.has(parts[i]) ? (ObjectNode) parent.get(parts[i]) : parent.putObject(parts[i]);
        }
        try {
            parent.set(parts[parts.length - 1], YAML.readTree(yamlValue));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void remove(ObjectNode doc, String dotted) {
        int dot = dotted.lastIndexOf('.');
        ((ObjectNode) doc.at("/" + dotted.substring(0, dot).replace('.', '/'))).remove(dotted.substring(dot + 1));
    }

    // ---------------------------------------------------------------------------------------------- schema walkers

    interface SchemaVisitor {
        void visit(String path, JsonNode schema);
    }

    /** Visits every named field (properties entry); list items add "[]", map values "{}" to the path. */
    static void walkFields(JsonNode schema, String path, SchemaVisitor visitor) {
        schema.path("properties").fields().forEachRemaining(e -> {
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            visitor.visit(p, e.getValue());
            walkFields(e.getValue(), p, visitor);
        });
        if (schema.path("items").isObject()) {
            walkFields(schema.get("items"), path + "[]", visitor);
        }
        if (schema.path("additionalProperties").isObject()) {
            walkFields(schema.get("additionalProperties"), path + "{}", visitor);
        }
        schema.path("anyOf").forEach(s -> walkFields(s, path, visitor));
    }

    /** Visits every schema node, the root included. */
    static void walkSchemas(JsonNode schema, String path, SchemaVisitor visitor) {
        visitor.visit(path, schema);
        schema.path("properties").fields().forEachRemaining(e ->
                walkSchemas(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), visitor));
        if (schema.path("items").isObject()) {
            walkSchemas(schema.get("items"), path + "[]", visitor);
        }
        if (schema.path("additionalProperties").isObject()) {
            walkSchemas(schema.get("additionalProperties"), path + "{}", visitor);
        }
        schema.path("anyOf").forEach(s -> walkSchemas(s, path, visitor));
    }

    static Optional<JsonNode> fieldSchema(String dotted) {
        JsonNode node = openApiSchema;
        for (String part : dotted.split("\\.")) {
            node = node.path("properties").path(part);
            if (node.isMissingNode()) {
                return Optional.empty();
            }
        }
        return Optional.of(node);
    }

    // -------------------------------------------------------------------------------------------------- admission

    /** What the API server checks on create, minus what needs a cluster. Reusable for other sample documents. */
    static final class Admission {

        private static final java.util.regex.Pattern CEL_IDENTIFIER = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
        private static final CelOptions CEL_OPTIONS = CelOptions.current()
                .enableHeterogeneousNumericComparisons(true) // Kubernetes: cel.CrossTypeNumericComparisons(true)
                .enableHomogeneousLiterals(true)             // Kubernetes: cel.HomogeneousAggregateLiterals()
                .build();

        private final JsonNode schema;
        private final JsonSchema structural;
        private final Map<String, CelType> structs = new LinkedHashMap<>();
        private final Map<JsonNode, List<Rule>> rulesBySchemaNode = new java.util.IdentityHashMap<>();
        private final List<String> compileErrors = new ArrayList<>();
        private int ruleCount;

        record Rule(String rule, String message, String fieldPath, CelRuntime.Program program, boolean transition) {
        }

        Admission(JsonNode schema) {
            this.schema = schema;
            // x-kubernetes-* keys carry no draft-04 meaning here (int-or-string is already spelled as anyOf).
            JsonNode plain = withoutKubernetesExtensions(schema.deepCopy());
            RegularExpressionFactory re2 = regex -> {
                com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile(regex);
                return value -> pattern.matcher(value).find(); // Go: regexp.MatchString (unanchored search)
            };
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .regularExpressionFactory(re2)
                    .formatAssertionsEnabled(false)
                    .build();
            structural = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(plain, config);
            celType(schema, "mimg"); // registers every struct type up front for the type provider
            compileRules(schema, "mimg");
        }

        int ruleCount() {
            return ruleCount;
        }

        List<String> compileErrors() {
            return compileErrors;
        }

        /** Errors in the API server's wording ("path: Invalid value: ..."); empty = admitted. */
        List<String> admit(JsonNode document) {
            List<String> errors = new ArrayList<>();
            for (ValidationMessage m : structural.validate(document)) {
                errors.add(describe(m));
            }
            walk(schema, document, "", errors, true);
            return errors;
        }

        // ---- structural schema

        private static JsonNode withoutKubernetesExtensions(JsonNode node) {
            if (node.isObject()) {
                ObjectNode object = (ObjectNode) node;
                // "properties" and "additionalProperties" maps hold field names, not keywords
                List<String> drop = new ArrayList<>();
                object.fieldNames().forEachRemaining(n -> {
                    if (n.startsWith("x-kubernetes-")) {
                        drop.add(n);
                    }
                });
                object.remove(drop);
                object.elements().forEachRemaining(Admission::withoutKubernetesExtensions);
            } else if (node.isArray()) {
                node.elements().forEachRemaining(Admission::withoutKubernetesExtensions);
            }
            return node;
        }

        private String describe(ValidationMessage m) {
            String path = k8sPath(m.getInstanceLocation());
            JsonNode value = m.getInstanceNode();
            JsonNode keyword = schemaKeyword(m);
            return switch (m.getType()) {
                case "required" -> join(path, m.getProperty()) + ": Required value";
                case "enum" -> path + ": Unsupported value: " + value + ": supported values: "
                        + stream(keyword).map(JsonNode::toString).collect(Collectors.joining(", "));
                case "pattern" -> path + ": Invalid value: " + value + ": " + path + " in body should match '"
                        + keyword.asText() + "'";
                case "maximum" -> path + ": Invalid value: " + value + ": " + path
                        + " in body should be less than or equal to " + keyword.asLong();
                case "minimum" -> path + ": Invalid value: " + value + ": " + path
                        + " in body should be greater than or equal to " + keyword.asLong();
                case "maxLength" -> path + ": Too long: may not be longer than " + keyword.asLong();
                case "minLength" -> path + ": Invalid value: " + value + ": " + path + " in body should be at least "
                        + keyword.asLong() + " chars long";
                case "maxItems", "maxProperties" -> path + ": Too many: " + value.size() + ": must have at most "
                        + keyword.asLong() + " items";
                case "minItems", "minProperties" -> path + ": Invalid value: " + value.size() + ": " + path
                        + " in body should have at least " + keyword.asLong() + ("minItems".equals(m.getType())
                                ? " items" : " properties");
                case "type" -> path + ": Invalid value: \"" + jsonType(value) + "\": " + path
                        + " in body must be of type " + keyword.asText() + ": " + value;
                default -> path + ": " + m.getMessage();
            };
        }

        private JsonNode schemaKeyword(ValidationMessage m) {
            // #/properties/spec/.../pattern -> the keyword's value in the CRD schema
            String pointer = m.getSchemaLocation().getFragment().toString();
            pointer = pointer.startsWith("#") ? pointer.substring(1) : pointer;
            return schema.at(pointer.startsWith("/") || pointer.isEmpty() ? pointer : "/" + pointer);
        }

        private static String k8sPath(JsonNodePath location) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < location.getNameCount(); i++) {
                Object element = location.getElement(i);
                if (element instanceof Integer index) {
                    path.append('[').append(index).append(']');
                } else {
                    path.append(path.length() == 0 ? "" : ".").append(element);
                }
            }
            return path.toString();
        }

        private static String join(String path, String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        private static String jsonType(JsonNode value) {
            if (value == null) {
                return "null";
            }
            return switch (value.getNodeType()) {
                case OBJECT -> "object";
                case ARRAY -> "array";
                case STRING -> "string";
                case BOOLEAN -> "boolean";
                case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
                default -> "null";
            };
        }

        private static Stream<JsonNode> stream(JsonNode array) {
            List<JsonNode> items = new ArrayList<>();
            array.forEach(items::add);
            return items.stream();
        }

        // ---- unknown fields + CEL, walking schema and document together

        private void walk(JsonNode schemaNode, JsonNode value, String path, List<String> errors, boolean root) {
            if (value == null || value.isNull() || value.isMissingNode()) {
                return;
            }
            for (Rule rule : rulesBySchemaNode.getOrDefault(schemaNode, List.of())) {
                evaluate(rule, value, path, errors);
            }
            if (value.isObject()) {
                JsonNode properties = schemaNode.path("properties");
                JsonNode additional = schemaNode.path("additionalProperties");
                boolean preserveUnknown = schemaNode.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (properties.has(field.getKey())) {
                        walk(properties.get(field.getKey()), field.getValue(), join(path, field.getKey()), errors, false);
                    } else if (additional.isObject()) {
                        walk(additional, field.getValue(), path + "[" + field.getKey() + "]", errors, false);
                    } else if (root && List.of("apiVersion", "kind", "metadata").contains(field.getKey())) {
                        continue; // ObjectMeta and TypeMeta are validated by the API server itself
                    } else if (!preserveUnknown && !schemaNode.has("anyOf")) {
                        errors.add(join(path, field.getKey()) + ": unknown field \"" + join(path, field.getKey()) + "\"");
                    }
                }
            } else if (value.isArray() && schemaNode.path("items").isObject()) {
                for (int i = 0; i < value.size(); i++) {
                    walk(schemaNode.get("items"), value.get(i), path + "[" + i + "]", errors, false);
                }
            }
        }

        private void evaluate(Rule rule, JsonNode value, String path, List<String> errors) {
            if (rule.transition()) {
                return; // oldSelf rules do not run on create
            }
            String at = rule.fieldPath() == null ? path : path + rule.fieldPath();
            try {
                Object result = rule.program().eval(Map.of("self", celValue(value)));
                if (!Boolean.TRUE.equals(result)) {
                    errors.add(at + ": Invalid value: \"" + jsonType(value) + "\": " + rule.message());
                }
            } catch (CelEvaluationException e) {
                errors.add(at + ": Invalid value: \"" + jsonType(value) + "\": " + rule.message()
                        + " (evaluation error: " + e.getMessage() + ")");
            }
        }

        /** JSON -> the Java values CEL-Java expects: Long, Double, String, Boolean, List, Map. */
        private static Object celValue(JsonNode node) {
            if (node.isObject()) {
                Map<String, Object> map = new LinkedHashMap<>();
                node.fields().forEachRemaining(e -> {
                    if (!e.getValue().isNull()) {
                        map.put(e.getKey(), celValue(e.getValue()));
                    }
                });
                return map;
            }
            if (node.isArray()) {
                List<Object> list = new ArrayList<>();
                node.forEach(n -> list.add(celValue(n)));
                return list;
            }
            if (node.isIntegralNumber()) {
                return node.asLong();
            }
            if (node.isNumber()) {
                return node.asDouble();
            }
            if (node.isBoolean()) {
                return node.asBoolean();
            }
            return node.asText();
        }

        // ---- CEL environment per rule

        private void compileRules(JsonNode schemaNode, String typeName) {
            if (schemaNode.has("x-kubernetes-validations")) {
                CelType selfType = celType(schemaNode, typeName);
                List<Rule> rules = new ArrayList<>();
                for (JsonNode validation : schemaNode.get("x-kubernetes-validations")) {
                    ruleCount++;
                    String expression = validation.path("rule").asText();
                    boolean transition = expression.contains("oldSelf");
                    Cel cel = celFor(selfType, transition);
                    try {
                        CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
                        if (!SimpleType.BOOL.equals(ast.getResultType())) {
                            compileErrors.add(typeName + ": rule `" + expression + "` returns " + ast.getResultType()
                                    + ", Kubernetes needs bool");
                            continue;
                        }
                        String message = validation.hasNonNull("message") ? validation.get("message").asText()
                                : "failed rule: " + expression; // the API server's default message
                        String fieldPath = validation.hasNonNull("fieldPath") ? validation.get("fieldPath").asText() : null;
                        rules.add(new Rule(expression, message, fieldPath, cel.createProgram(ast), transition));
                    } catch (CelValidationException | CelEvaluationException e) {
                        compileErrors.add(typeName + ": rule `" + expression + "` does not compile: " + e.getMessage());
                    }
                }
                rulesBySchemaNode.put(schemaNode, rules);
            }
            schemaNode.path("properties").fields()
                    .forEachRemaining(e -> compileRules(e.getValue(), typeName + "." + e.getKey()));
            if (schemaNode.path("items").isObject()) {
                compileRules(schemaNode.get("items"), typeName + ".@idx");
            }
            if (schemaNode.path("additionalProperties").isObject()) {
                compileRules(schemaNode.get("additionalProperties"), typeName + ".@elem");
            }
        }

        /**
         * The standard CEL library + macros (has, all, exists, exists_one, map, filter) + the extension libraries
         * Kubernetes also enables (strings, sets). duration(), timestamp(), string contains/startsWith/endsWith/
         * matches/size are standard CEL.
         */
        private Cel celFor(CelType selfType, boolean transition) {
            CelTypeProvider provider = new CelTypeProvider() {
                @Override
                public ImmutableCollection<CelType> types() {
                    return ImmutableList.copyOf(structs.values());
                }

                @Override
                public Optional<CelType> findType(String name) {
                    return Optional.ofNullable(structs.get(name));
                }
            };
            var builder = CelFactory.standardCelBuilder()
                    .setOptions(CEL_OPTIONS)
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .setTypeProvider(provider)
                    .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(CEL_OPTIONS))
                    .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(CEL_OPTIONS))
                    .addVar("self", selfType);
            if (transition) {
                builder.addVar("oldSelf", selfType);
            }
            return builder.build();
        }

        /** The CEL type Kubernetes derives from a structural schema node (apiserver/pkg/cel/common.SchemaDeclType). */
        private CelType celType(JsonNode node, String name) {
            if (node.path("x-kubernetes-int-or-string").asBoolean(false) || node.has("anyOf")) {
                return SimpleType.DYN;
            }
            switch (node.path("type").asText()) {
                case "string":
                    return SimpleType.STRING; // format date-time/duration would be timestamp/duration: unused here
                case "integer":
                    return SimpleType.INT;
                case "number":
                    return SimpleType.DOUBLE;
                case "boolean":
                    return SimpleType.BOOL;
                case "array":
                    return ListType.create(node.path("items").isObject()
                            ? celType(node.get("items"), name + ".@idx") : SimpleType.DYN);
                case "object":
                    if (node.path("additionalProperties").isObject()) {
                        return MapType.create(SimpleType.STRING, celType(node.get("additionalProperties"), name + ".@elem"));
                    }
                    if (!node.has("properties")) {
                        return node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                                ? SimpleType.DYN : MapType.create(SimpleType.STRING, SimpleType.DYN);
                    }
                    Map<String, CelType> fields = new LinkedHashMap<>();
                    node.get("properties").fields().forEachRemaining(e -> {
                        // Kubernetes escapes other names (__dash__ etc.); none occur in this schema
                        if (CEL_IDENTIFIER.matcher(e.getKey()).matches()) {
                            fields.put(e.getKey(), celType(e.getValue(), name + "." + e.getKey()));
                        }
                    });
                    StructType struct = StructType.create(name, ImmutableSet.copyOf(fields.keySet()),
                            field -> Optional.ofNullable(fields.get(field)));
                    structs.put(name, struct);
                    return struct;
                default:
                    return SimpleType.DYN;
            }
        }
    }
}
