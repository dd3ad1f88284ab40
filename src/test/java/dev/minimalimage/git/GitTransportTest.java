package dev.minimalimage.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

/**
 * What scripts/image.sh's gates for java.xml and sshd-sftp rest on: once GitTransport is loaded, JGit takes no
 * amazon-s3:// and no sftp:// URL.
 */
class GitTransportTest {

    @Test
    void noTransportTakesAnAmazonS3OrSftpUrlOnceGitTransportIsLoaded() throws Exception {
        URIish bucket = new URIish("amazon-s3://credentials@bucket/repo.git");
        URIish sftp = new URIish("sftp://git@example.com/repo.git");
        URIish ssh = new URIish("ssh://git@example.com/repo.git");
        URIish https = new URIish("https://example.com/repo.git");
        try (GitTransport transport = GitTransport.open(GitAuth.none())) {
            assertThat(Transport.getTransportProtocols()).noneMatch(p -> p.canHandle(bucket))
                    .noneMatch(p -> p.canHandle(sftp)).anyMatch(p -> p.canHandle(https)).anyMatch(p -> p.canHandle(ssh))
                    .noneMatch(p -> p.getSchemes().stream().anyMatch(GitTransport.UNUSED_SCHEMES::contains));
        }
    }
}
