// A Sarama 1.22 client (Debian's golang-github-shopify-sarama-dev) against a
// Sluice broker, as a new user would write it: create a topic, produce with
// acks=all, consume it in a group of two members that commit, then read the
// committed offsets back. Sarama does not negotiate versions: `-version`
// picks the fixed request versions it sends. Prints one JSON line; exits 1 on
// any error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

type handler struct {
	id    int
	state *state
}

type state struct {
	mu        sync.Mutex
	seen      map[string]bool
	perMember [2]int
	want      int
	done      chan struct{}
	doneOnce  sync.Once
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		s := h.state
		s.mu.Lock()
		if !s.seen[string(msg.Key)] {
			s.seen[string(msg.Key)] = true
			s.perMember[h.id]++
		}
		complete := len(s.seen) == s.want
		s.mu.Unlock()
		sess.MarkMessage(msg, "")
		if complete {
			s.doneOnce.Do(func() { close(s.done) })
		}
	}
	return nil
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap servers, comma separated")
	version := flag.String("version", "0.11.0.0", "the Kafka version Sarama assumes")
	topic := flag.String("topic", "sarama", "topic to create")
	group := flag.String("group", "sarama-group", "consumer group")
	n := flag.Int("n", 200, "records to produce")
	flag.Parse()
	addrs := strings.Split(*brokers, ",")
	v, err := sarama.ParseKafkaVersion(*version)
	if err != nil {
		fail("version: %v", err)
	}
	newConfig := func() *sarama.Config {
		c := sarama.NewConfig()
		c.Version = v
		c.ClientID = "sarama-test"
		return c
	}

	admin, err := sarama.NewClusterAdmin(addrs, newConfig())
	if err != nil {
		fail("admin: %v", err)
	}
	if err := admin.CreateTopic(*topic, &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, false); err != nil {
		fail("create topic: %v", err)
	}
	admin.Close()

	pc := newConfig()
	pc.Producer.RequiredAcks = sarama.WaitForAll
	pc.Producer.Return.Successes = true
	pc.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	producer, err := sarama.NewSyncProducer(addrs, pc)
	if err != nil {
		fail("producer: %v", err)
	}
	for i := 0; i < *n; i++ {
		msg := &sarama.ProducerMessage{Topic: *topic, Key: sarama.StringEncoder(fmt.Sprintf("k%d", i)),
			Value: sarama.StringEncoder(fmt.Sprintf("value-%d", i))}
		if _, _, err := producer.SendMessage(msg); err != nil {
			fail("produce %d: %v", i, err)
		}
	}
	producer.Close()

	st := &state{seen: map[string]bool{}, want: *n, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var groupErrors []string
	for i := 0; i < 2; i++ {
		cc := newConfig()
		cc.Consumer.Offsets.Initial = sarama.OffsetOldest
		cc.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
		cc.Consumer.Return.Errors = true
		g, err := sarama.NewConsumerGroup(addrs, *group, cc)
		if err != nil {
			fail("consumer group: %v", err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			for e := range g.Errors() {
				errMu.Lock()
				groupErrors = append(groupErrors, e.Error())
				errMu.Unlock()
			}
		}()
		go func(id int) {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := g.Consume(ctx, []string{*topic}, &handler{id: id, state: st}); err != nil && ctx.Err() == nil {
					errMu.Lock()
					groupErrors = append(groupErrors, err.Error())
					errMu.Unlock()
					time.Sleep(100 * time.Millisecond)
				}
			}
			g.Close() // commits the marked offsets one last time
		}(i)
	}
	select {
	case <-st.done:
	case <-time.After(90 * time.Second):
		st.mu.Lock()
		fail("consumed %d of %d records; errors: %v", len(st.seen), *n, groupErrors)
	}
	cancel()
	wg.Wait()

	client, err := sarama.NewClient(addrs, newConfig())
	if err != nil {
		fail("client: %v", err)
	}
	om, err := sarama.NewOffsetManagerFromClient(*group, client)
	if err != nil {
		fail("offset manager: %v", err)
	}
	committed := []int64{}
	for p := int32(0); p < 2; p++ {
		pom, err := om.ManagePartition(*topic, p)
		if err != nil {
			fail("manage partition %d: %v", p, err)
		}
		off, _ := pom.NextOffset()
		committed = append(committed, off)
		pom.Close()
	}
	om.Close()
	client.Close()

	members := 0
	for _, c := range st.perMember {
		if c > 0 {
			members++
		}
	}
	out, _ := json.Marshal(map[string]interface{}{"produced": *n, "consumed": len(st.seen),
		"members_with_records": members, "committed": committed})
	fmt.Println(string(out))
	if len(groupErrors) > 0 {
		fmt.Fprintf(os.Stderr, "group errors: %v\n", groupErrors)
		os.Exit(1)
	}
}
