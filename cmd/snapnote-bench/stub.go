package main

import "context"

func runOCR(context.Context, []string) error    { return nil }
func runMemory(context.Context, []string) error { return nil }
