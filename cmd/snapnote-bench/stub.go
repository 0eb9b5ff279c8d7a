package main

import "context"

func runMemory(context.Context, []string) error { return nil }
