// The interval join (JOB-SPEC.md "join"): records of the left and right
// inputs (Record::port 0 and 1) with equal keys pair when their event times
// are at most `within` apart. Each arriving record is stored and paired at
// once with the stored records of the other side, in arrival order; the
// output's value is {left, right, left_time, right_time}, its key the shared
// key, its timestamp and event time the later of the two.
//
// The watermark bounds the state: a stored record older than watermark -
// within can no longer pair with a record that is not late, so it is
// dropped; a record older than the watermark itself is late (counted and
// dropped), as in Flink's interval join.
#pragma once

#include <memory>

#include "common/status.h"
#include "runtime/job_spec.h"
#include "runtime/nodes.h"

namespace sluice::runtime {

Result<std::unique_ptr<Node>> MakeJoinNode(const OperatorSpec& spec);

}  // namespace sluice::runtime
