package io.kloop.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigurationPropertiesSourceTest {

  @Test
  void shouldNameEveryComponentOfNestedRecordsAndMapsInKebabCase() {
    String source = """
        package x;
        /** Javadoc with (parentheses) and @ConfigurationProperties("not.this") in it. */
        @ConfigurationProperties("kloop.example")
        public record ExampleProperties(
            @DefaultValue(".kloop/artifacts") Path artifactRoot,
            @DefaultValue({"a", "b"}) List<String> noRegression,
            @DefaultValue Window window,
            Map<String, Map<String, List<String>>> grid,
            Map<String, Model> models) {

          public record Window(@DefaultValue("1m") Duration duration, int minPredictions) {}

          record Model(String dataset, @DefaultValue("0.05") double pValue) {}
        }
        """;

    assertThat(ConfigurationPropertiesSource.properties(source)).containsExactlyInAnyOrder(
        "kloop.example.artifact-root",
        "kloop.example.no-regression",
        "kloop.example.window.duration",
        "kloop.example.window.min-predictions",
        "kloop.example.grid.*",
        "kloop.example.models.*.dataset",
        "kloop.example.models.*.p-value");
  }

  @Test
  void shouldRefuseASourceWithoutAPropertiesRecord() {
    assertThatThrownBy(() -> ConfigurationPropertiesSource.properties("class A {}"))
        .hasMessageContaining("@ConfigurationProperties");
  }
}
