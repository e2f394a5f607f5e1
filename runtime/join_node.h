// The interval join (JOB-SPEC.md "join"): records of the left and right
// inputs (Record::port 0 and 1) with equal keys pair when their event times
// are at most `within` apart. Each arriving record is stored and paired at
// once with the stored records of the other side, in arrival order; the
// output's value is {left, right, left_time, right_time}, its key the shared
// key, its timestamp and event time the later of the two.
//
// The watermark W (runtime/watermark.h: no record below W comes any more)
// bounds the state: a record is late when its event time is below W (counted
// and dropped; a record AT W is not late); a stored record below W - within
// can no longer pair with a record that is not late, so it is dropped, while
// one at exactly W - within is kept (it still pairs with a record at W).
//
// Without `within` it is a regular join: every record of one side pairs with
// every record of the other side with the same key, whatever their times (no
// record is late, the watermark forgets nothing); `state_ttl` is what bounds
// the state (a key idle for the TTL loses its stored records).

#include <memory>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

Result<std::unique_ptr<Node>> MakeJoinNode(const OperatorSpec& spec);

}  // namespace sluice::runtime
