package dev.minimalimage.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.minimalimage.helm.OperatorPermissions;
import dev.minimalimage.helm.OperatorPermissions.Grant;
import dev.minimalimage.testsupport.Processes;

/**
 * Asks the real cluster, with `kubectl auth can-i ... --as=system:serviceaccount:NS:SA`, every verb of
 * OperatorPermissions.VERBS on every resource of the operator's table, where the chart installed it with
 * watchNamespaces set: in the watched namespace (exactly the table), in an unwatched one and cluster-wide (nothing),
 * and leader election's Leases in the operator's namespace only. The CRD is not readable at all (not needed at start).
 */
final class OperatorAccess {

    /** One kubectl auth can-i question and the answer the table expects. */
    record Question(String where, List<String> scope, String verb, Grant grant, boolean expected) {

        List<String> command(String kubectl, String user) {
            List<String> command = new ArrayList<>(List.of(kubectl, "auth", "can-i", verb, grant.kubectlResource(),
                    "--as=" + user));
            if (!grant.subresource().isEmpty()) {
                command.add("--subresource=" + grant.subresource());
            }
            command.addAll(scope);
            return command;
        }
    }

    static final Grant CRD_READ = new Grant("apiextensions.k8s.io", "customresourcedefinitions", Set.of());

    private OperatorAccess() {
    }

    static List<Question> questions(String operatorNamespace, String watched, String unwatched) {
        List<Question> questions = new ArrayList<>();
        List<Grant> namespaced = new ArrayList<>(OperatorPermissions.IN_A_WATCHED_NAMESPACE);
        namespaced.add(OperatorPermissions.LEADER_ELECTION);
        for (Grant grant : namespaced) {
            for (String verb : OperatorPermissions.VERBS) {
                boolean inTable = grant.verbs().contains(verb);
                boolean lease = grant == OperatorPermissions.LEADER_ELECTION;
                questions.add(new Question("watched " + watched, List.of("-n", watched), verb, grant,
                        inTable && !lease));
                questions.add(new Question("unwatched " + unwatched, List.of("-n", unwatched), verb, grant, false));
                questions.add(new Question("cluster-wide", List.of("--all-namespaces"), verb, grant, false));
                if (lease) {
                    questions.add(new Question("operator's " + operatorNamespace, List.of("-n", operatorNamespace),
                            verb, grant, inTable));
                }
            }
        }
        for (String verb : OperatorPermissions.VERBS) {
            questions.add(new Question("cluster-scoped", List.of(), verb, CRD_READ, false));
            // nodes are listed only with every namespace watched or smokeTest.listNodes true
            questions.add(new Question("cluster-scoped", List.of(), verb, OperatorPermissions.NODES, false));
        }
        return questions;
    }

    /** Every question whose answer differs from the table, as "where: verb resource: expected X, got Y". */
    static List<String> mismatches(String kubectl, String serviceAccount, List<Question> questions)
            throws InterruptedException, ExecutionException {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (Question q : questions) {
                answers.add(pool.submit(() -> mismatch(kubectl, serviceAccount, q)));
            }
            List<String> mismatches = new ArrayList<>();
            for (Future<String> answer : answers) {
                if (answer.get() != null) {
                    mismatches.add(answer.get());
                }
            }
            return mismatches;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String mismatch(String kubectl, String serviceAccount, Question q) {
        Processes.Result result = Processes.run(Duration.ofSeconds(60), q.command(kubectl, serviceAccount));
        String answer = result.stdout().strip();
        boolean yes = answer.equals("yes");
        // a denial may carry the authorizer's reason: "no - ..."
        if (!yes && !answer.equals("no") && !answer.startsWith("no - ")) {
            return q.where() + ": " + q.verb() + " " + q.grant().resource() + ": kubectl said " + answer + " "
                    + result.stderr().strip();
        }
        return yes == q.expected() ? null : q.where() + ": " + q.verb() + " " + q.grant().resource() + ": expected "
                + (q.expected() ? "yes" : "no") + ", got " + answer;
    }
}
