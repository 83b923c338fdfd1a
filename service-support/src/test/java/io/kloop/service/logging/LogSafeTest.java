package io.kloop.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void shouldEscapeEveryControlCharacterAndLeaveOrdinaryTextAsItIs() {
    String ordinary = "dataset breast-cancer, Größe 3 – 😀";
    assertThat(LogSafe.escape(ordinary)).isSameAs(ordinary);

    assertThat(LogSafe.escape("a\nb\rc\td\u0000e\u001b[31mf\u007fg\u0085h\u2028i\u202ej"))
        .isEqualTo("a\\nb\\rc\\td\\u0000e\\u001b[31mf\\u007fg\\u0085h\\u2028i\\u202ej");
    assertThat(LogSafe.escape(null)).isNull();
  }

  @Test
  void shouldKeepForgedLinesOutOfMessagesAndExceptionMessagesOfTheShippedRules() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    String config = """
        <configuration>
          <include resource="io/kloop/service/logging/safe-conversion-rules.xml"/>
          <appender name="TEXT" class="ch.qos.logback.core.read.ListAppender"/>
          <root level="INFO"><appender-ref ref="TEXT"/></root>
        </configuration>""";
    configurator.doConfigure(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
    ch.qos.logback.classic.PatternLayout layout = new ch.qos.logback.classic.PatternLayout();
    layout.setContext(context);
    layout.setPattern("%msg|%ex");
    layout.start();
    Logger logger = context.getLogger("probe");
    @SuppressWarnings("unchecked")
    ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        (ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>) logger.getLoggerContext().getLogger("ROOT").getAppender("TEXT");

    logger.warn("Refused record id {}", "x\n12:00:00.000 ERROR forged", new IllegalArgumentException("bad\r\ninput\u001b[2J",
        new IllegalStateException("cause\nline")));
    String line = layout.doLayout(appender.list.get(0));

    assertThat(line).startsWith("Refused record id x\\n12:00:00.000 ERROR forged|java.lang.IllegalArgumentException: bad\\r\\ninput\\u001b[2J");
    assertThat(line).contains("Caused by: java.lang.IllegalStateException: cause\\nline");
    assertThat(line.lines()).allSatisfy(l -> assertThat(l).as("every line is the message or part of the stack trace")
        .matches("(Refused record id .*|\\s+at .*|Caused by: .*|\\s+\\.\\.\\. \\d+ common frames omitted|\\s+\\.\\.\\. \\d+ more)"));
    context.stop();
  }

  /** Every log configuration the platform ships takes the escaping rules, and names its exception converter. */
  @Test
  void shouldEscapeInEveryShippedLogConfiguration() throws Exception {
    for (String file : new String[] {"src/main/resources/logback-spring.xml", "../local-platform/src/main/resources/logback.xml",
        "../test-support/src/main/resources/logback-test.xml"}) {
      String config = java.nio.file.Files.readString(java.nio.file.Path.of(file));
      assertThat(config).as(file).contains("io/kloop/service/logging/safe-conversion-rules.xml");
      java.util.regex.Matcher pattern = java.util.regex.Pattern.compile("<pattern>(.*?)</pattern>").matcher(config);
      while (pattern.find()) {
        assertThat(pattern.group(1)).as("%s: a pattern that names its exception converter (else Logback adds an unescaped one)", file)
            .containsAnyOf("%ex", "%wEx");
      }
    }
  }
}
