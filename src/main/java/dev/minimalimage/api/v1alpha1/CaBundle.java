package dev.minimalimage.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A ConfigMap key holding PEM certificates the builder's fetch and push steps trust besides the public roots. */
public class CaBundle {

    public static final String DEFAULT_KEY = "ca.crt";

    @Required
    @Size(min = 1, max = 253)
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    @JsonPropertyDescription("ConfigMap in the resource's namespace holding the certificates.")
    private String configMap;

    @Size(min = 1, max = 253)
    @Pattern("^[-._a-zA-Z0-9]+$")
    @JsonPropertyDescription("Key of the ConfigMap holding one or more PEM certificates (default ca.crt).")
    private String key = DEFAULT_KEY;

    public CaBundle() {
    }

    public CaBundle(String configMap, String key) {
        this.configMap = configMap;
        this.key = key;
    }

    public String getConfigMap() { return configMap; }
    public void setConfigMap(String configMap) { this.configMap = configMap; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
}
