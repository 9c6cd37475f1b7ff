# iiot-sim: the line simulator (EtherCAT + PROFINET, DESIGN §11).
SIM_SCENARIO_SRCS = sim/scenario.c sim/scenario_keys.c sim/scenario_build.c \
		    sim/scenario_values.c sim/scenario_attack.c
SIM_ENGINE_SRCS = $(SIM_SCENARIO_SRCS) sim/engine.c sim/ecat_frame.c \
		  sim/ecat_sim.c sim/pn_frame.c sim/pn_connect.c sim/lldp_frame.c \
		  sim/pn_sim.c sim/values.c \
		  sim/dcp_answer.c sim/attack.c
SIM_SRCS = $(SIM_ENGINE_SRCS) sim/capfile.c sim/output.c sim/truth.c

PROGS += iiot-sim
iiot-sim_SRCS = $(SIM_SRCS) sim/sim_main.c
iiot-sim_DEPS = $(LIBSHM_A)
iiot-sim_LDLIBS = $(LIBSHM_A) -lm

TESTS += test_sim_scenario
test_sim_scenario_SRCS = $(SIM_SCENARIO_SRCS) tests/sim/test_sim_scenario.c
test_sim_scenario_LDLIBS = -lm

FUZZ += fuzz_scenario
fuzz_scenario_SRCS = $(SIM_SCENARIO_SRCS) tests/fuzz/fuzz_scenario.c
fuzz_scenario_LDLIBS = -lm

FUZZ += fuzz_sim_dcp
fuzz_sim_dcp_SRCS = $(SIM_ENGINE_SRCS) tests/fuzz/fuzz_sim_dcp.c
fuzz_sim_dcp_LDLIBS = -lm

TESTS += test_sim_dcp_answer
test_sim_dcp_answer_SRCS = $(SIM_ENGINE_SRCS) tests/sim/test_sim_dcp_answer.c
test_sim_dcp_answer_LDLIBS = -lm
