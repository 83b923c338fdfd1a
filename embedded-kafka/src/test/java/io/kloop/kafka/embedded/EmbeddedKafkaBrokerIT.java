package io.kloop.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

  @TempDir Path dataDirectory;

  @Test
  void shouldKeepTopicsAndRecordsAcrossARestartOnTheSameDataDirectory() throws Exception {
    String clusterIdBefore;
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()
        .start(Duration.ofSeconds(120))) {
      try (Admin admin = admin(broker)) {
        admin.createTopics(List.of(new NewTopic("durable", Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
        clusterIdBefore = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("durable", "k", "survives a restart")).get(30, TimeUnit.SECONDS);
      }
    }

    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()
        .start(Duration.ofSeconds(120))) {
      try (Admin admin = admin(broker)) {
        assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(clusterIdBefore);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("durable");
      }
      assertThat(readAll(broker, "durable")).containsExactly("survives a restart");
    }
  }

  @Test
  void shouldCommitTransactionsOnASingleNode() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()
        .start(Duration.ofSeconds(120))) {
      try (Admin admin = admin(broker)) {
        admin.createTopics(List.of(new NewTopic("tx", Optional.of(1), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test"), new StringSerializer(), new StringSerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("tx", "k", "committed"));
        producer.commitTransaction();
      }
      assertThat(readAll(broker, "tx")).containsExactly("committed");
    }
  }

  private static Admin admin(EmbeddedKafkaBroker broker) {
    return Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
  }

  private static List<String> readAll(EmbeddedKafkaBroker broker, String topic) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(Set.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
