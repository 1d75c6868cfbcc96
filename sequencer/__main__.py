from sequencer.cli import run

run()
