package io.kloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.test.DocumentedCommands;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalPlatformSettingsTest {

  @Test
  void shouldRunTheDemoInAHomeOfItsOwnUnlessOneIsGiven() {
    LocalPlatformSettings own = LocalPlatformSettings.parse("--demo", "--home=/tmp/kloop-x");
    assertThat(own.demo()).isTrue();
    assertThat(own.demoHomeIsOwn()).as("an explicit home is the user's: never emptied").isFalse();
    assertThat(own.home()).isEqualTo(Path.of("/tmp/kloop-x"));

    LocalPlatformSettings demo = LocalPlatformSettings.parse("--demo");
    assertThat(demo.demoHomeIsOwn()).isTrue();
    assertThat(demo.home().getFileName()).hasToString("demo");

    LocalPlatformSettings plain = LocalPlatformSettings.parse();
    assertThat(plain.demo()).isFalse();
    assertThat(plain.demoHomeIsOwn()).isFalse();
    assertThat(demo.home().getParent()).isEqualTo(plain.home());
  }

  @Test
  void shouldExplainABadArgument() {
    assertThatThrownBy(() -> LocalPlatformSettings.parse("--nonsense-port=1"))
        .hasMessageContaining("unknown option --nonsense-port");
    assertThatThrownBy(() -> LocalPlatformSettings.parse("--kafka-port=ninety"))
        .hasMessageContaining("--kafka-port needs a port number, not 'ninety'");
    assertThatThrownBy(() -> LocalPlatformSettings.parse("demo"))
        .hasMessageContaining("unknown argument demo");
  }

  @Test
  void shouldAcceptEveryLauncherCommandTheDocsShow() {
    List<DocumentedCommands.Command> launches = DocumentedCommands.all().stream()
        .filter(c -> c.text().startsWith("./kloop") && !c.text().startsWith("./kloop produce")).toList();
    assertThat(launches).extracting(DocumentedCommands.Command::text).contains("./kloop --demo");
    for (DocumentedCommands.Command launch : launches) {
      List<String> args = launch.words().subList(1, launch.words().size());
      if (args.contains("--help")) {
        assertThat(LocalPlatformSettings.USAGE).as(launch.toString()).startsWith("Usage: ./kloop");
        continue;
      }
      assertThat(LocalPlatformSettings.parse(args.toArray(String[]::new))).as(launch.toString()).isNotNull();
    }
  }
}
