// SPDX-License-Identifier: GPL-2.0-or-later
// The switching plan: what a card's ports need, from one reading and the configuration.
#include "plan.h"

#include "text.h"

namespace mlx4 {

namespace {

PortType targetFor(const PortState& current, PortWant want) {
    switch (want) {
    case PortWant::Ib:
        return PortType::Ib;
    case PortWant::Eth:
        return PortType::Eth;
    case PortWant::Auto:
        return PortType::Auto;
    case PortWant::Keep:
        break;
    }
    return typeToWrite(current);
}

} // namespace

std::vector<PortState> CardReading::states() const {
    std::vector<PortState> states;
    for (const PortReading& port : ports) {
        if (!port.state)
            return {};
        states.push_back(*port.state);
    }
    return states;
}

std::string CardReading::problem() const {
    for (const PortReading& port : ports)
        if (!port.state)
            return port.problem;
    return {};
}

bool CardPlan::inSync() const {
    for (const PortPlan& port : ports)
        if (port.changes)
            return false;
    return true;
}

std::vector<PortState> CardPlan::current() const {
    std::vector<PortState> states;
    for (const PortPlan& port : ports)
        states.push_back(port.current);
    return states;
}

std::vector<PortType> CardPlan::targets() const {
    std::vector<PortType> types;
    for (const PortPlan& port : ports)
        types.push_back(port.target);
    return types;
}

bool CardPlan::restartsCard() const {
    for (const PortPlan& port : ports)
        if (port.changesProtocol())
            return true;
    return false;
}

bool CardPlan::setsAuto() const {
    for (const PortPlan& port : ports)
        if (port.changes && port.want == PortWant::Auto)
            return true;
    return false;
}

int CardPlan::readOnlyPort() const {
    for (const PortPlan& port : ports)
        if (!port.writable)
            return port.port;
    return 0;
}

CardPlan makePlan(const std::vector<PortState>& current, const std::vector<PortWant>& wants) {
    CardPlan plan;
    for (size_t i = 0; i < current.size() && i < wants.size(); ++i) {
        PortPlan port;
        port.port = static_cast<int>(i) + 1;
        port.current = current[i];
        port.want = wants[i];
        port.target = targetFor(current[i], wants[i]);
        port.changes = !satisfies(current[i], wants[i]);
        plan.ports.push_back(port);
    }
    return plan;
}

CardPlan makePlan(const CardReading& reading, const std::vector<PortWant>& wants) {
    CardPlan plan;
    plan.problem = reading.problem();
    if (!plan.problem.empty())
        return plan;
    plan = makePlan(reading.states(), wants);
    for (size_t i = 0; i < plan.ports.size(); ++i)
        plan.ports[i].writable = reading.ports[i].writable;
    return plan;
}

std::string restartsText(int restarts) {
    if (restarts == 0)
        return "no device restart";
    return std::to_string(restarts) + " device restart" + (restarts == 1 ? "" : "s");
}

ApplyResult planOutcome(const CardPlan& plan) {
    ApplyResult result;
    if (!plan.problem.empty()) {
        result.outcome = ApplyOutcome::ReadFailed;
        result.reason = plan.problem;
        return result;
    }
    result.before = plan.current();
    result.target = plan.targets();
    if (plan.inSync()) {
        result.outcome = ApplyOutcome::InSync;
        result.after = result.before;
        return result;
    }
    if (int port = plan.readOnlyPort()) {
        result.outcome = ApplyOutcome::ReadOnly;
        result.reason = "port " + std::to_string(port) +
                        " is read-only: the driver does that when SR-IOV is enabled on the "
                        "card or on a virtual function; remove the num_vfs and probe_vf "
                        "options of mlx4_core (the driver enables SR-IOV only from them), or "
                        "set the type with the module option "
                        "(options mlx4_core port_type_array=...)";
        return result;
    }
    result.outcome = ApplyOutcome::Planned;
    return result;
}

} // namespace mlx4
