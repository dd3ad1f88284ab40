package dev.minimalimage.result;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.minimalimage.elf.Hazard;
import dev.minimalimage.elf.LinkReport;

/** The link verdict as reported to users: the analyzer's findings, lists capped so the record stays small. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LinkSummary(String verdict, String libc, String machine, String interpreter, List<String> needed,
        Boolean neededCapped, List<String> hazards, Boolean hazardsCapped, String explanation, List<String> bundled,
        Boolean bundledCapped, Long bundleBytes) {

    /** Without a bundle (the fields before `package --bundle` existed). */
    public LinkSummary(String verdict, String libc, String machine, String interpreter, List<String> needed,
            Boolean neededCapped, List<String> hazards, Boolean hazardsCapped, String explanation) {
        this(verdict, libc, machine, interpreter, needed, neededCapped, hazards, hazardsCapped, explanation, null, null,
                null);
    }

    public static LinkSummary of(LinkReport report) {
        List<String> hazards = report.hazards().stream().map(LinkSummary::describe).toList();
        return new LinkSummary(report.verdict().name(), report.libc() == null ? null : report.libc().name(),
                report.machine(), report.interpreter(), report.needed(), null, hazards, null, report.explanation());
    }

    /**
     * A copy naming what `package --bundle` added: {@code paths} (libraries, links and generated files in the image)
     * and the size of the bundled library files.
     */
    public LinkSummary withBundle(List<String> paths, long bytes) {
        return new LinkSummary(verdict, libc, machine, interpreter, needed, neededCapped, hazards, hazardsCapped,
                explanation, List.copyOf(paths), null, bytes);
    }

    private static String describe(Hazard hazard) {
        return hazard.kind() + (hazard.evidence().isEmpty() ? "" : " (" + String.join(", ", hazard.evidence()) + ")");
    }

    /** A copy with at most {@code max} needed entries and hazards and a shortened explanation. */
    LinkSummary capped(int max, int textLimit) {
        return new LinkSummary(verdict, libc, machine, Texts.truncate(interpreter, textLimit), Texts.head(needed, max),
                Texts.isCapped(needed, max) || Boolean.TRUE.equals(neededCapped) ? Boolean.TRUE : null,
                Texts.head(hazards, max).stream().map(h -> Texts.truncate(h, textLimit)).toList(),
                Texts.isCapped(hazards, max) || Boolean.TRUE.equals(hazardsCapped) ? Boolean.TRUE : null,
                Texts.truncate(explanation, textLimit), bundled == null ? null
                        : Texts.head(bundled, max).stream().map(p -> Texts.truncate(p, textLimit)).toList(),
                Texts.isCapped(bundled, max) || Boolean.TRUE.equals(bundledCapped) ? Boolean.TRUE : null, bundleBytes);
    }
}
