"""Locust users for bench/load_test.py: visitors reading cached atlas pages."""

import random

from locust import HttpUser, between, task

LAYER = "/n/efficientnet-lite0/block10/"
CHANNELS = range(8)  # load_test.py renders these first


class Visitor(HttpUser):
    wait_time = between(0.1, 0.5)

    @task(1)
    def home(self):
        self.client.get("/")

    @task(2)
    def layer(self):
        self.client.get(LAYER)

    @task(6)
    def channel(self):
        index = random.choice(CHANNELS)
        page = self.client.get(f"{LAYER}{index}/", name=f"{LAYER}[channel]/")
        for still in page.text.split('src="/media/')[1:2]:
            self.client.get("/media/" + still.split('"')[0], name="/media/stills/[png]")
