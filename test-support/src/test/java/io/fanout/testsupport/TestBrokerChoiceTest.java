package io.fanout.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.testsupport.TestBrokerChoice.Kind;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class TestBrokerChoiceTest {

    private final AtomicInteger dockerAsked = new AtomicInteger();

    private BooleanSupplier docker(boolean answers) {
        return () -> {
            dockerAsked.incrementAndGet();
            return answers;
        };
    }

    @Test
    void shouldTakeTheInProcessBrokerWhenNoDockerEngineAnswers() {
        TestBrokerChoice choice = TestBrokerChoice.decide(null, null, docker(false));

        assertThat(choice.kind()).isEqualTo(Kind.EMBEDDED);
        assertThat(choice.reason()).isEqualTo("no Docker engine found");
    }

    @Test
    void shouldTakeTestcontainersWhenADockerEngineAnswers() {
        assertThat(TestBrokerChoice.decide(null, "auto", docker(true)).kind()).isEqualTo(Kind.TESTCONTAINERS);
    }

    @Test
    void shouldNotAskDockerWhenAKindIsForced() {
        assertThat(TestBrokerChoice.decide("embedded", null, docker(true)).kind())
                .isEqualTo(Kind.EMBEDDED);
        assertThat(TestBrokerChoice.decide(null, "testcontainers", docker(false))
                        .kind())
                .isEqualTo(Kind.TESTCONTAINERS);
        assertThat(dockerAsked).hasValue(0);
    }

    @Test
    void shouldLetThePropertyWinOverTheEnvironment() {
        TestBrokerChoice choice = TestBrokerChoice.decide(" Embedded ", "testcontainers", docker(true));

        assertThat(choice.kind()).isEqualTo(Kind.EMBEDDED);
        assertThat(choice.reason()).isEqualTo("-Dfanout.test.kafka=embedded");
    }

    @Test
    void shouldRefuseAnUnknownKindNamingTheSetting() {
        assertThatThrownBy(() -> TestBrokerChoice.decide(null, "docker", docker(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FANOUT_TEST_KAFKA=docker: expected embedded, testcontainers or auto");
    }

    @Test
    void shouldNameEachBrokerSettingAsTheKafkaImageExpectsIt() {
        assertThat(ContainerTestBroker.environmentName("log.message.timestamp.type"))
                .isEqualTo("KAFKA_LOG_MESSAGE_TIMESTAMP_TYPE");
    }
}
