package corpus

// subject is the material one page of notes is drawn from.
type subject struct {
	course    string
	titles    []string
	sentences []string
	bullets   []string
	steps     []string
	formulas  []string
	// words are the headings and dates of the subject's language; zero for English.
	words words
}

// subjects are the courses pages are written for. Sentences are plain ASCII: the point is to
// measure how photos damage reading, not which symbols the English model knows. The pages in
// other languages (LanguagePage) have their own, in foreignSubjects.
var subjects = []subject{
	{
		course: "Physics 101",
		titles: []string{"Lecture 7: The First Law", "Lecture 3: Forces and Motion", "Lecture 9: Waves"},
		sentences: []string{
			"Energy can change its form but the total amount in a closed system stays the same.",
			"The change in internal energy equals the heat added minus the work done by the gas.",
			"For an ideal gas the internal energy depends only on its temperature.",
			"A body keeps moving in a straight line unless a net force acts on it.",
			"Friction always acts against the direction of relative motion.",
			"The period of a pendulum does not depend on the mass of the bob.",
			"Sound travels faster in water than in air because water is much stiffer.",
			"In an isothermal process all the heat taken in is turned into work.",
			"Momentum is conserved in every collision, elastic or not.",
			"Waves carry energy from one place to another without carrying matter.",
		},
		bullets: []string{
			"heat flows from hot to cold bodies",
			"work done by the gas is positive",
			"units of energy are joules",
			"check the signs before adding terms",
			"draw a free body diagram first",
		},
		steps: []string{
			"Write down what is given and what is asked.",
			"Choose a coordinate system and mark the positive direction.",
			"Apply the conservation law to the whole system.",
			"Solve for the unknown and check the units.",
		},
		formulas: []string{"dU = dQ - dW", "F = m * a", "v = u + a * t", "E = 1/2 * m * v^2"},
	},
	{
		course: "Biology 210",
		titles: []string{"Week 4: Cell Respiration", "Week 6: Genetics", "Week 2: The Cell Membrane"},
		sentences: []string{
			"Glycolysis takes place in the cytoplasm and does not need oxygen.",
			"Each glucose molecule yields two molecules of pyruvate.",
			"The membrane lets small nonpolar molecules pass freely.",
			"Enzymes lower the activation energy of a reaction without being used up.",
			"Dominant alleles mask the effect of recessive ones in a heterozygote.",
			"Mitochondria have their own DNA, inherited from the mother.",
			"Active transport moves ions against their gradient and costs energy.",
			"Crossing over during meiosis mixes the genes of both parents.",
			"Most of the energy from glucose is released in the electron transport chain.",
			"Osmosis is the movement of water across a semipermeable membrane.",
		},
		bullets: []string{
			"the Krebs cycle runs in the matrix",
			"oxygen is the final electron acceptor",
			"ATP is the energy currency of the cell",
			"learn the phases of mitosis by heart",
			"compare diffusion with active transport",
		},
		steps: []string{
			"Label the parents and write their genotypes.",
			"List the gametes each parent can produce.",
			"Fill in the Punnett square.",
			"Count the ratio of phenotypes in the offspring.",
		},
		formulas: []string{"C6H12O6 + 6 O2 -> 6 CO2 + 6 H2O", "p^2 + 2pq + q^2 = 1", "N(t) = N0 * 2^(t/g)"},
	},
	{
		course: "History 150",
		titles: []string{"Session 5: The Industrial Revolution", "Session 8: Empires and Trade", "Session 2: Sources"},
		sentences: []string{
			"Steam power moved factories away from rivers and into the growing towns.",
			"Cheap cotton from the colonies fed the mills of northern England.",
			"Railways cut the cost of moving coal and goods across the country.",
			"Child labour was common until the factory acts of the nineteenth century.",
			"Historians read every source with its author and purpose in mind.",
			"Trade routes spread ideas and diseases as well as goods.",
			"The printing press made pamphlets cheap and opinions travel fast.",
			"Wages rose slowly while the population of the cities doubled.",
			"Letters and diaries show how ordinary people saw the changes.",
			"Tariffs protected young industries from foreign competition.",
		},
		bullets: []string{
			"primary sources come from the period itself",
			"secondary sources interpret them later",
			"note the date and place of every source",
			"ask who wrote it and for whom",
			"essay due on the third of May",
		},
		steps: []string{
			"Identify the author, date and audience of the source.",
			"Summarise the main claim in one sentence.",
			"Compare it with at least one other source.",
			"Judge how reliable it is for your question.",
		},
		formulas: []string{"growth = (P1 - P0) / P0 * 100", "real wage = nominal wage / price index"},
	},
	{
		course: "Computer Science 220",
		titles: []string{"Lecture 11: Hash Tables", "Lecture 4: Sorting", "Lecture 6: Graphs"},
		sentences: []string{
			"A hash table maps keys to buckets with a hash function.",
			"Collisions are resolved by chaining or by open addressing.",
			"The load factor is the number of entries divided by the number of buckets.",
			"Merge sort splits the input in half and merges the sorted halves.",
			"Quicksort is fast on average but quadratic in the worst case.",
			"A graph is a set of vertices joined by edges.",
			"Breadth first search finds the shortest path in an unweighted graph.",
			"Dijkstra needs all edge weights to be non negative.",
			"Resizing the table keeps the expected cost of a lookup constant.",
			"A stable sort keeps equal keys in their original order.",
		},
		bullets: []string{
			"average lookup takes constant time",
			"keep the load factor below three quarters",
			"use a queue for breadth first search",
			"recursion needs a base case",
			"lab two is due next Friday",
		},
		steps: []string{
			"Compute the hash of the key.",
			"Take it modulo the number of buckets.",
			"Walk the chain in that bucket.",
			"Compare keys until one matches or the chain ends.",
		},
		formulas: []string{"T(n) = 2 T(n/2) + O(n)", "load = n / m", "h(k) = k mod m"},
	},
	{
		course: "Economics 120",
		titles: []string{"Topic 3: Supply and Demand", "Topic 7: Inflation", "Topic 5: Market Failure"},
		sentences: []string{
			"When the price of a good rises the quantity demanded usually falls.",
			"A shift of the demand curve is not the same as a movement along it.",
			"The market clears where supply equals demand.",
			"Inflation erodes the value of savings held in cash.",
			"Central banks raise interest rates to slow down rising prices.",
			"Pollution is a classic example of a negative externality.",
			"Public goods are hard to fund because people can use them without paying.",
			"Elastic demand means buyers react strongly to a change in price.",
			"A price ceiling below the equilibrium leads to a shortage.",
			"Taxes drive a wedge between what buyers pay and sellers receive.",
		},
		bullets: []string{
			"demand slopes down and supply slopes up",
			"ceteris paribus means all else equal",
			"real values are adjusted for inflation",
			"revise the graphs from chapter two",
			"quiz on Monday at nine",
		},
		steps: []string{
			"Draw the original supply and demand curves.",
			"Decide which curve the event shifts.",
			"Shift it in the right direction.",
			"Read off the new price and quantity.",
		},
		formulas: []string{"Ed = (dQ / Q) / (dP / P)", "GDP = C + I + G + (X - M)", "MV = PY"},
	},
	{
		course: "Chemistry 105",
		titles: []string{"Unit 2: Chemical Bonds", "Unit 5: Reaction Rates", "Unit 8: Acids and Bases"},
		sentences: []string{
			"Ionic bonds form when one atom gives electrons to another.",
			"Covalent bonds share pairs of electrons between atoms.",
			"The rate of a reaction rises with temperature and concentration.",
			"A catalyst speeds up a reaction by offering another path.",
			"Strong acids give up all their protons in water.",
			"Buffers resist changes in pH when small amounts of acid are added.",
			"The mole links the mass of a sample to the number of particles.",
			"Electronegativity grows across a period and falls down a group.",
			"Equilibrium shifts to oppose any change imposed on the system.",
			"Noble gases rarely react because their outer shells are full.",
		},
		bullets: []string{
			"wear goggles in the lab at all times",
			"balance every equation before using it",
			"pH below seven means acidic",
			"one mole holds the Avogadro number of particles",
			"bring the lab book on Thursday",
		},
		steps: []string{
			"Write the unbalanced equation.",
			"Balance the atoms other than oxygen and hydrogen.",
			"Balance oxygen and then hydrogen.",
			"Check the charges on both sides.",
		},
		formulas: []string{"pH = -log[H+]", "PV = nRT", "rate = k [A]^2 [B]"},
	},
}

// dates end the title block of a page.
var dates = []string{
	"Monday 14 March", "Tuesday 3 October", "Wednesday 22 November", "Thursday 9 February",
	"Friday 27 January", "Monday 5 June",
}
