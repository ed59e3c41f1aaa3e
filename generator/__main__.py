from generator.cli import main

if __name__ == "__main__":  # a spawned worker process (Windows, macOS) imports this module again
    main()
