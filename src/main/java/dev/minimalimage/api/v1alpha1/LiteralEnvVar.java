package dev.minimalimage.api.v1alpha1;

import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An environment variable with a literal value. Unlike a container's EnvVar there is no valueFrom: it would let anyone
 * who may create a MinimalImage read any Secret of the namespace into a build log or bake it into an image. The field
 * is declared only to be refused by a construct a 1.20 API server enforces (maxProperties: 0) besides CEL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LiteralEnvVar {

    public static final String NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";

    @Required
    @Size(min = 1, max = 256)
    @Pattern(NAME_PATTERN)
    @JsonPropertyDescription("Variable name (letters, digits, _; not starting with a digit).")
    private String name;

    @Size(max = 32768)
    @JsonPropertyDescription("Literal value (default empty).")
    private String value;

    @Size(max = 0)
    @ValidationRule(value = "size(self) == 0", message = "valueFrom is not supported: literal values only")
    @JsonPropertyDescription("Not supported (must be absent or empty): a value read from a Secret or ConfigMap would"
            + " reach build logs or the image. Literal values only.")
    private Map<String, Object> valueFrom;

    public LiteralEnvVar() {
    }

    public LiteralEnvVar(String name, String value) {
        this.name = name;
        this.value = value;
    }

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getValue() { return value; }
    public void setValue(String value) { this.value = value; }
    public Map<String, Object> getValueFrom() { return valueFrom; }
    public void setValueFrom(Map<String, Object> valueFrom) { this.valueFrom = valueFrom; }

    /** Resources stored before the schema refused valueFrom (or on a server that skipped the check) still carry it. */
    public boolean hasValueFrom() {
        return valueFrom != null && !valueFrom.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LiteralEnvVar other && Objects.equals(name, other.name) && Objects.equals(value, other.value)
                && Objects.equals(valueFrom, other.valueFrom);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, value, valueFrom);
    }

    @Override
    public String toString() {
        return name; // values stay out of logs
    }
}
