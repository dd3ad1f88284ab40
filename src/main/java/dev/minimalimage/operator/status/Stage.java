package dev.minimalimage.operator.status;

/** Build stages; each has a condition of the same name next to Ready. */
public enum Stage {
    SourceFetched, Compiled, LinkVerified, Pushed
}
