package dev.minimalimage.planning;

import java.util.List;

/**
 * The kubelet expands $(NAME) in a container's command, args and env values when NAME is one of the container's
 * variables (HOME, for one), and reads $$ as a literal $. Arguments that must arrive exactly as written (a git URL,
 * a revision, the image config, the compile script and its environment) therefore go in with every $ doubled.
 */
final class ContainerArgs {

    private ContainerArgs() {
    }

    /** Container args the kubelet turns back into exactly {@code args}. */
    static List<String> literal(List<String> args) {
        return args.stream().map(ContainerArgs::literal).toList();
    }

    /** A command word or env value the kubelet turns back into exactly {@code value}. */
    static String literal(String value) {
        return value.replace("$", "$$");
    }
}
