#include "tests/support/kafka_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace sluice::testing {

using namespace std::chrono_literals;

rd_kafka_t* NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                      const std::vector<std::pair<std::string, std::string>>& props) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  for (const auto& [k, v] : props) EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)), RD_KAFKA_CONF_OK) << err;
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof(err));
  EXPECT_NE(rk, nullptr) << err;
  return rk;
}

void CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap, {});
  char err[512];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, err, sizeof(err));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &t, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60'000);
  ASSERT_NE(ev, nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** r = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_topic_result_error(r[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(t);
  rd_kafka_destroy(rk);
}

std::vector<std::string> ReadCommitted(const std::string& bootstrap, const std::string& topic, int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, bootstrap,
                             {{"isolation.level", "read_committed"}, {"enable.partition.eof", "true"},
                              {"group.id", "sluice-test-reader"}});
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<std::string> out;
  int at_end = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (at_end < partitions && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string line = m->key ? std::string(static_cast<const char*>(m->key), m->key_len) : "";
      line += ' ';
      line.append(static_cast<const char*>(m->payload), m->len);
      out.push_back(std::move(line));
    }
    rd_kafka_message_destroy(m);
  }
  EXPECT_EQ(at_end, partitions) << "reading " << topic << " timed out";
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int64_t> Committed(const std::string& bootstrap, const std::string& group, const std::string& topic,
                               int partitions) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", group}});
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  std::vector<int64_t> out(partitions, -1);
  if (rd_kafka_committed(rk, list, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return out;
}

}  // namespace sluice::testing
