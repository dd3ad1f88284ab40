package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.Blob;
import dev.minimalimage.image.ImageAssembler;
import dev.minimalimage.image.Platform;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.image.TreeImageConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "package-tree", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Packs directory trees FROM scratch, one reproducible layer per --layer, bottom first.",
                "DIR/x becomes /x; files are 0755 if executable else 0644, links are kept, owner 0:0, epoch times.",
                "It prints a JSON result record on stdout." })
final class PackageTreeCommand implements Callable<Integer> {

    @Option(names = "--layer", paramLabel = "DIR", required = true, description = "a layer's root directory (repeatable, bottom first)")
    List<Path> layers = new ArrayList<>();

    @Option(names = "--entrypoint", paramLabel = "ARG", required = true, description = "Entrypoint word (repeatable)")
    List<String> entrypoint = new ArrayList<>();

    @Option(names = "--cmd", paramLabel = "ARG", description = "default Cmd word (repeatable)")
    List<String> cmd = new ArrayList<>();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", defaultValue = "linux/amd64",
            description = "image platform (default ${DEFAULT-VALUE})")
    String platform;

    @Mixin
    ImageSettingsOptions destination;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        destination.requireNamed();
        String[] p = platform.split("/");
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException("--platform must be OS/ARCH[/VARIANT]: " + platform);
        }
        destination.checkOutputs(); // before the layers are read and packed
        RegistryPusher.PendingPush push = destination.prepare(m -> spec.commandLine().getErr().println("warning: " + m));
        AssembledImage image = ImageAssembler.assemble(new TreeImageConfig(layers, entrypoint, cmd, destination.env,
                destination.workingDir, destination.user, new TreeMap<>(destination.labels),
                new TreeMap<>(destination.annotations), destination.compression, destination.level),
                new Platform(p[0], p[1], p.length == 3 ? p[2] : null));
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            result.put("image", destination.deliver(image, push));
        } catch (PushException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return DestinationOptions.reasonOf(e.kind()).exitCode();
        }
        result.put("digest", image.digest());
        result.put("compressedSize", image.compressedSize());
        result.put("uncompressedSize", image.uncompressedLayerSize());
        List<Map<String, Object>> layerList = new ArrayList<>();
        for (int i = 0; i < image.layers().size(); i++) {
            Blob blob = image.layers().get(i);
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("source", layers.get(i).toString());
            layer.put("digest", blob.digest());
            layer.put("diffId", image.diffIds().get(i));
            layer.put("size", blob.size());
            layerList.add(layer);
        }
        result.put("layers", layerList);
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(result));
        return ExitCodes.OK;
    }
}
